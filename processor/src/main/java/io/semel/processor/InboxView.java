package io.semel.processor;

import io.semel.processor.store.InboxCounts;
import io.semel.processor.store.InboxRow;
import java.util.List;

/**
 * One read of a consumer's inbox: counts by status and a page of rows (for {@code semel inspect inbox}).
 *
 * @param page rows with the requested status, by message id, after the requested id
 * @param parkedAttempts rows in the page with at least this many attempts are parked: workers no
 *     longer try them (STORE_THEN_PROCESS; see {@code docs/processor.md})
 */
public record InboxView(InboxCounts counts, List<InboxRow> page, int parkedAttempts) {
    public InboxView {
        page = List.copyOf(page);
    }
}
