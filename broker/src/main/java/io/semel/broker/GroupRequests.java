package io.semel.broker;

import io.semel.protocol.Ack;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the broker's network layer and consumer groups: one method per group API,
 * taking the decoded request and answering with a future response.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>Thread-safe: called from the broker's event-loop threads, concurrently.
 *   <li>Never block the caller (no disk I/O, no waiting, no locks held across I/O): return a future
 *       and complete it from another thread. A long-poll ({@code Poll.Request.maxWaitMs}) must wait
 *       asynchronously.
 *   <li>Expected errors (unknown member, stale lease, ...) are answered as a response with the
 *       error code, not as an exceptional future. An exceptional future or a thrown exception is
 *       answered {@code UNKNOWN_SERVER_ERROR} and logged; the connection stays open.
 *   <li>Responses are written in request order per connection by the broker: a slow future delays
 *       the answers pipelined behind it on that connection.
 * </ul>
 */
public interface GroupRequests {

    CompletableFuture<JoinGroup.Response> joinGroup(JoinGroup.Request request);

    CompletableFuture<LeaveGroup.Response> leaveGroup(LeaveGroup.Request request);

    CompletableFuture<Heartbeat.Response> heartbeat(Heartbeat.Request request);

    CompletableFuture<Poll.Response> poll(Poll.Request request);

    CompletableFuture<Ack.Response> ack(Ack.Request request);

    CompletableFuture<Nack.Response> nack(Nack.Request request);
}
