package io.semel.broker.internal;

import io.semel.broker.BrokerConfig;
import io.semel.broker.GroupAdmin;
import io.semel.protocol.AddPartitions;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.DeleteTopic;
import io.semel.protocol.DescribeGroup;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.ListGroups;
import io.semel.protocol.ResetGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Answers the admin APIs (DELETE_TOPIC, ADD_PARTITIONS, LIST_GROUPS, DESCRIBE_GROUP, RESET_GROUP).
 * Topic changes run on the broker's admin thread (they do file I/O and wait for the group
 * coordinator); group questions go to the {@link GroupAdmin}. Never blocks the caller.
 * Thread-safe.
 */
final class TopicAdministration {
    private final BrokerConfig config;
    private final TopicManager topics;
    private final ExecutorService admin;
    private final GroupAdmin groups; // null: groups are served elsewhere
    private final ErrorMapping errors;

    TopicAdministration(BrokerConfig config, TopicManager topics, ExecutorService admin, GroupAdmin groups,
            ErrorMapping errors) {
        this.config = config;
        this.topics = topics;
        this.admin = admin;
        this.groups = groups;
        this.errors = errors;
    }

    /** The answer, or null when {@code request} is not an admin API. */
    CompletableFuture<? extends ApiResponse> handle(ApiRequest request) {
        if (request instanceof DeleteTopic.Request r) {
            return onAdmin(r, "delete topic " + r.topic(), () -> {
                TopicManager.GroupDeleter deleter = groups == null
                        ? names -> CompletableFuture.completedFuture(null) : groups::deleteGroupsOn;
                topics.delete(r.topic(), deleter, config.shutdownTimeoutMs());
                return new DeleteTopic.Response(ErrorCode.NONE, null);
            });
        } else if (request instanceof AddPartitions.Request r) {
            return onAdmin(r, "add partitions to " + r.topic(), () -> {
                Topic grown = topics.addPartitions(r.topic(), r.partitionCount());
                if (groups != null) {
                    join(groups.topicGrew(grown.name(), grown.partitionCount()));
                }
                return new AddPartitions.Response(ErrorCode.NONE, null);
            });
        } else if (request instanceof ListGroups.Request) {
            return groups == null ? none(request) : groups.listGroups();
        } else if (request instanceof DescribeGroup.Request r) {
            return groups == null ? none(request) : groups.describeGroup(r);
        } else if (request instanceof ResetGroup.Request r) {
            return groups == null ? none(request) : groups.resetGroup(r);
        }
        return null;
    }

    private interface AdminWork {
        ApiResponse run() throws IOException;
    }

    private CompletableFuture<ApiResponse> onAdmin(ApiRequest r, String what, AdminWork work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, admin).exceptionally(e -> errors.toResponse(r.apiKey(), e, what));
    }

    private void join(CompletableFuture<Void> f) {
        try {
            f.get(config.shutdownTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestException(ErrorCode.TIMEOUT, "interrupted while the consumer groups learned the new "
                    + "partition count; they learn it at the next broker start");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // The topic has grown (durable); groups catch up when the coordinator rebuilds at the next start.
            throw new RequestException(ErrorCode.STORAGE_ERROR, "partitions added, but the consumer groups did not "
                    + "record it (" + ErrorMapping.unwrap(e) + "); they pick it up at the next broker start");
        }
    }

    private static CompletableFuture<ApiResponse> none(ApiRequest r) {
        return CompletableFuture.completedFuture(io.semel.protocol.Messages.errorResponse(r.apiKey(),
                ErrorCode.INVALID_REQUEST, "this broker serves consumer groups through an outside GroupRequests; group "
                        + "administration needs the built-in coordinator"));
    }
}
