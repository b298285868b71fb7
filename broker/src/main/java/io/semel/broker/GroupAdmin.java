package io.semel.broker;

import io.semel.protocol.DescribeGroup;
import io.semel.protocol.ListGroups;
import io.semel.protocol.ResetGroup;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the broker and consumer-group administration (the built-in coordinator
 * implements it). Same contract as {@link GroupRequests}: thread-safe, never blocks the caller,
 * expected errors come back as responses.
 */
public interface GroupAdmin {

    CompletableFuture<ListGroups.Response> listGroups();

    CompletableFuture<DescribeGroup.Response> describeGroup(DescribeGroup.Request request);

    CompletableFuture<ResetGroup.Response> resetGroup(ResetGroup.Request request);

    /**
     * Deletes every group consuming one of {@code topics} (members or not) and drops their pending
     * dead-letter copies; completes once the deletions are durable.
     */
    CompletableFuture<Void> deleteGroupsOn(Set<String> topics);

    /** Groups on {@code topic} grow to {@code partitionCount} partitions; completes once durable. */
    CompletableFuture<Void> topicGrew(String topic, int partitionCount);
}
