package io.semel.verify.history;

import java.util.List;

/** One account in the processor's store: its balance and the ids applied to it, in apply order. */
public record AccountState(long balance, List<String> appliedIds) {
    public AccountState {
        appliedIds = List.copyOf(appliedIds);
    }
}
