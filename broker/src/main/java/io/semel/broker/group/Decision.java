package io.semel.broker.group;

import io.semel.protocol.ErrorCode;
import java.util.List;
import java.util.Objects;

/**
 * What the decision core answers to one command, in the etcd-raft style: the core has already
 * changed its in-memory state; the shell now does the I/O, in this order:
 *
 * <ol>
 *   <li>persist {@link #records} (group commit, fsync), keyed by {@link #group};
 *   <li>only then send {@link #reply} (or the error) and issue {@link #deadLetters}.
 * </ol>
 *
 * <p>Invariants the shell must keep:
 * <ul>
 *   <li><b>Order.</b> A reply may be sent only once the records of this decision <em>and of every
 *       earlier decision of the same group</em> are durable, even if this decision has none (an
 *       idempotent ack answered NONE may rely on an earlier, not yet durable, settlement).
 *   <li><b>Failure.</b> If persisting fails, the in-memory state is ahead of the disk: drop the
 *       {@link GroupState} without replying and rebuild it with {@link GroupState#replay}.
 *   <li><b>Ahead of the disk.</b> The one exception to the order: when {@link #replyBeforeDurable}
 *       is true (a poll whose records are only first deliveries below their partitions' durable
 *       delivery horizons, and new horizons), the shell may reply at once. The records still go to
 *       the log in order; replay covers their loss ({@link GroupRecord.DeliveryHorizon}). A shell
 *       whose reply carries anything else that must be durable (the results of acks applied with
 *       the poll) must still wait.
 *   <li><b>Horizons.</b> Once a decision's records are durable, the shell reports it with
 *       {@link GroupState#persisted}, so later polls may be answered ahead of the disk.
 * </ul>
 *
 * @param group the group the records belong to
 * @param error {@link ErrorCode#NONE} or why the whole command was refused (then {@code reply} may
 *     be null); per-item outcomes of ack/nack are inside the reply
 * @param errorMessage human-readable detail naming the value and limit involved; empty on success
 * @param replyBeforeDurable the reply may be sent before the records are durable (see above)
 */
public record Decision<R>(String group, ErrorCode error, String errorMessage, R reply, List<GroupRecord> records,
        List<DeadLetterRequest> deadLetters, boolean replyBeforeDurable) {

    public Decision {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(errorMessage, "errorMessage");
        records = List.copyOf(records);
        deadLetters = List.copyOf(deadLetters);
    }

    static <R> Decision<R> ok(String group, R reply, Effects effects) {
        return new Decision<>(group, ErrorCode.NONE, "", reply, effects.records(), effects.deadLetters(),
                !effects.records().isEmpty() && !effects.mustBeDurableFirst());
    }

    static <R> Decision<R> refused(String group, ErrorCode error, String message, R reply) {
        return new Decision<>(group, error, message, reply, List.of(), List.of(), false);
    }

    public boolean isOk() {
        return error == ErrorCode.NONE;
    }
}
