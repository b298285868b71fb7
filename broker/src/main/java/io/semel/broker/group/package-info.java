/**
 * Consumer-group decision core: partition leases with epochs, per-message acks with an ack floor,
 * redelivery on ack timeout and nack, dead-lettering after the maximum delivery count.
 *
 * <p>Everything here is deterministic and does no I/O (the etcd-raft split). The broker shell
 * drives it from one coordinator thread:
 * <ol>
 *   <li>call a command on {@link io.semel.broker.group.GroupRegistry} / {@link
 *       io.semel.broker.group.GroupState} with the current time;
 *   <li>persist the returned {@link io.semel.broker.group.Decision#records()} (group commit, fsync),
 *       each encoded with {@link io.semel.broker.group.GroupRecordCodec} in a log record keyed by
 *       group name;
 *   <li>then send the reply and carry out the {@link io.semel.broker.group.DeadLetterRequest}s,
 *       confirming each with {@code deadLettered} once the copy is durable;
 *   <li>call {@code tick(nowMs)} periodically; after a restart, rebuild with {@code replay} and
 *       reissue {@code pendingDeadLetters()}.
 * </ol>
 * See {@code docs/consumer-groups.md}.
 */
package io.semel.broker.group;
