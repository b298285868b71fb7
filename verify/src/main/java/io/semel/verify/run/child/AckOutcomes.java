package io.semel.verify.run.child;

import io.semel.client.AckResult;
import io.semel.client.DefiniteFailureException;
import io.semel.client.Message;
import io.semel.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One ACK call's outcome, per message, split the way the history records it and the consumers act on it:
 * <table>
 *   <caption>Per-message outcome</caption>
 *   <tr><th>broker's answer for the message</th><th>outcome</th><th>history</th></tr>
 *   <tr><td>{@code NONE}</td><td>settled</td><td>{@code ok}</td></tr>
 *   <tr><td>{@link #REFUSED_CODES} (stale lease, never delivered, not a member, malformed, no such
 *       partition), per message or for the whole request</td><td>refused: definitely not settled by this ack</td>
 *       <td>{@code fail}, error = the code</td></tr>
 *   <tr><td>any other code ({@code STORAGE_ERROR}, {@code TIMEOUT}, ...) or no answer (connection cut,
 *       timeout)</td><td>unknown: the broker may or may not have settled it</td><td>{@code info}</td></tr>
 * </table>
 * Immutable.
 *
 * @param settled messages the broker confirmed as settled
 * @param refused per refusal code, the messages it refused
 * @param unknown messages whose outcome is unknown
 * @param unknownWhy why they are unknown (the exception or the codes); empty when {@code unknown} is empty
 */
public record AckOutcomes(List<Message> settled, SortedMap<ErrorCode, List<Message>> refused, List<Message> unknown,
        String unknownWhy) {
    /** Codes that prove the broker did not settle the message with this ack. */
    public static final Set<ErrorCode> REFUSED_CODES = Collections.unmodifiableSet(EnumSet.of(ErrorCode.STALE_LEASE,
            ErrorCode.OFFSET_OUT_OF_RANGE, ErrorCode.UNKNOWN_GROUP_MEMBER, ErrorCode.INVALID_REQUEST,
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));

    public AckOutcomes {
        settled = List.copyOf(settled);
        SortedMap<ErrorCode, List<Message>> copy = new TreeMap<>();
        refused.forEach((code, ms) -> copy.put(code, List.copyOf(ms)));
        refused = Collections.unmodifiableSortedMap(copy);
        unknown = List.copyOf(unknown);
    }

    /** Classifies the broker's per-message answers. */
    public static AckOutcomes of(List<AckResult> results) {
        List<Message> settled = new ArrayList<>();
        SortedMap<ErrorCode, List<Message>> refused = new TreeMap<>();
        List<Message> unknown = new ArrayList<>();
        Set<ErrorCode> unknownCodes = EnumSet.noneOf(ErrorCode.class);
        for (AckResult r : results) {
            if (r.ok()) {
                settled.add(r.message());
            } else if (REFUSED_CODES.contains(r.error())) {
                refused.computeIfAbsent(r.error(), c -> new ArrayList<>()).add(r.message());
            } else {
                unknown.add(r.message());
                unknownCodes.add(r.error());
            }
        }
        return new AckOutcomes(settled, refused, unknown,
                unknown.isEmpty() ? "" : "broker answered " + unknownCodes + "; outcome unknown");
    }

    /** The ACK call threw: a whole-request refusal with a {@link #REFUSED_CODES} code is a refusal, else unknown. */
    public static AckOutcomes thrown(List<Message> batch, RuntimeException e) {
        if (e instanceof DefiniteFailureException d && REFUSED_CODES.contains(d.errorCode())) {
            SortedMap<ErrorCode, List<Message>> refused = new TreeMap<>();
            refused.put(d.errorCode(), batch);
            return new AckOutcomes(List.of(), refused, List.of(), "");
        }
        return new AckOutcomes(List.of(), new TreeMap<>(), batch, ChildHistory.describe(e));
    }

    /** True when every message was settled. */
    public boolean allSettled() {
        return refused.isEmpty() && unknown.isEmpty();
    }
}
