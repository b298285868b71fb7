package io.semel.broker.internal;

import io.semel.broker.GroupRequests;
import io.semel.protocol.Ack;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import java.util.concurrent.CompletableFuture;

/** Answers every group API with UNKNOWN_SERVER_ERROR: this build has no consumer groups. Stateless. */
public final class UnavailableGroupRequests implements GroupRequests {
    public static final String MESSAGE = "consumer groups are not available in this build";
    private static final ErrorCode CODE = ErrorCode.UNKNOWN_SERVER_ERROR;

    @Override
    public CompletableFuture<JoinGroup.Response> joinGroup(JoinGroup.Request request) {
        return CompletableFuture.completedFuture(JoinGroup.Response.error(CODE, MESSAGE));
    }

    @Override
    public CompletableFuture<LeaveGroup.Response> leaveGroup(LeaveGroup.Request request) {
        return CompletableFuture.completedFuture(LeaveGroup.Response.error(CODE, MESSAGE));
    }

    @Override
    public CompletableFuture<Heartbeat.Response> heartbeat(Heartbeat.Request request) {
        return CompletableFuture.completedFuture(Heartbeat.Response.error(CODE, MESSAGE));
    }

    @Override
    public CompletableFuture<Poll.Response> poll(Poll.Request request) {
        return CompletableFuture.completedFuture(Poll.Response.error(CODE, MESSAGE));
    }

    @Override
    public CompletableFuture<Ack.Response> ack(Ack.Request request) {
        return CompletableFuture.completedFuture(Ack.Response.error(CODE, MESSAGE));
    }

    @Override
    public CompletableFuture<Nack.Response> nack(Nack.Request request) {
        return CompletableFuture.completedFuture(Nack.Response.error(CODE, MESSAGE));
    }
}
