package io.semel.protocol;

import io.semel.protocol.internal.WireReader;

/**
 * Maps an {@link ApiKey} to its request and response types: the one switch over every API, so
 * adding an API fails to compile until it is wired here. Stateless; thread-safe.
 */
public final class Messages {
    private Messages() {
    }

    /** Decodes a request body of {@code key} at its first version; the caller checks for trailing bytes. */
    public static ApiRequest decodeRequest(ApiKey key, WireReader r) throws ProtocolException {
        return decodeRequest(key, (short) 1, r);
    }

    /** Decodes a request body of {@code key} in layout {@code version} (one {@code key} supports). */
    public static ApiRequest decodeRequest(ApiKey key, short version, WireReader r) throws ProtocolException {
        return switch (key) {
            case HELLO -> Hello.Request.decode(r);
            case METADATA -> Metadata.Request.decode(r);
            case CREATE_TOPIC -> CreateTopic.Request.decode(r);
            case LIST_TOPICS -> ListTopics.Request.decode(r);
            case DESCRIBE_TOPIC -> DescribeTopic.Request.decode(r);
            case INIT_PRODUCER -> InitProducer.Request.decode(r);
            case PRODUCE -> Produce.Request.decode(r);
            case FETCH -> Fetch.Request.decode(r);
            case JOIN_GROUP -> JoinGroup.Request.decode(r);
            case LEAVE_GROUP -> LeaveGroup.Request.decode(r);
            case HEARTBEAT -> Heartbeat.Request.decode(r);
            case POLL -> Poll.Request.decode(r, version);
            case ACK -> Ack.Request.decode(r, version);
            case NACK -> Nack.Request.decode(r);
            case RELEASE_PRODUCER -> ReleaseProducer.Request.decode(r);
            case LIST_PRODUCERS -> ListProducers.Request.decode(r);
            case DELETE_TOPIC -> DeleteTopic.Request.decode(r);
            case ADD_PARTITIONS -> AddPartitions.Request.decode(r);
            case LIST_GROUPS -> ListGroups.Request.decode(r);
            case DESCRIBE_GROUP -> DescribeGroup.Request.decode(r);
            case RESET_GROUP -> ResetGroup.Request.decode(r);
            case AUTHENTICATE -> Authenticate.Request.decode(r);
        };
    }

    /** Decodes a full response body of {@code key} at its first version; the caller checks for trailing bytes. */
    public static ApiResponse decodeResponse(ApiKey key, WireReader r) throws ProtocolException {
        return decodeResponse(key, (short) 1, r);
    }

    /** Decodes a full response body of {@code key} in layout {@code version}. */
    public static ApiResponse decodeResponse(ApiKey key, short version, WireReader r) throws ProtocolException {
        return switch (key) {
            case HELLO -> Hello.Response.decode(r);
            case METADATA -> Metadata.Response.decode(r);
            case CREATE_TOPIC -> CreateTopic.Response.decode(r);
            case LIST_TOPICS -> ListTopics.Response.decode(r);
            case DESCRIBE_TOPIC -> DescribeTopic.Response.decode(r);
            case INIT_PRODUCER -> InitProducer.Response.decode(r);
            case PRODUCE -> Produce.Response.decode(r);
            case FETCH -> Fetch.Response.decode(r);
            case JOIN_GROUP -> JoinGroup.Response.decode(r);
            case LEAVE_GROUP -> LeaveGroup.Response.decode(r);
            case HEARTBEAT -> Heartbeat.Response.decode(r);
            case POLL -> Poll.Response.decode(r, version);
            case ACK -> Ack.Response.decode(r, version);
            case NACK -> Nack.Response.decode(r);
            case RELEASE_PRODUCER -> ReleaseProducer.Response.decode(r);
            case LIST_PRODUCERS -> ListProducers.Response.decode(r);
            case DELETE_TOPIC -> DeleteTopic.Response.decode(r);
            case ADD_PARTITIONS -> AddPartitions.Response.decode(r);
            case LIST_GROUPS -> ListGroups.Response.decode(r);
            case DESCRIBE_GROUP -> DescribeGroup.Response.decode(r);
            case RESET_GROUP -> ResetGroup.Response.decode(r);
            case AUTHENTICATE -> Authenticate.Response.decode(r);
        };
    }

    /** The typed response for an error frame: {@code error} plus each API's documented defaults. */
    /**
     * {@code response} in the layout of {@code version}, the version of the request it answers (an
     * answer is always written in its request's version): ACK and POLL have several; every other API
     * has one, and its response is returned as it is.
     */
    public static ApiResponse inVersion(ApiResponse response, short version) {
        if (!response.apiKey().supports(version) || response.apiVersion() == version) {
            return response;
        }
        if (response instanceof Poll.Response poll) {
            return poll.inVersion(version);
        }
        if (response instanceof Ack.Response ack) {
            return ack.inVersion(version);
        }
        return response;
    }

    public static ApiResponse errorResponse(ApiKey key, ErrorCode error, String message) {
        return switch (key) {
            case HELLO -> Hello.Response.error(error, message);
            case METADATA -> Metadata.Response.error(error, message);
            case CREATE_TOPIC -> CreateTopic.Response.error(error, message);
            case LIST_TOPICS -> ListTopics.Response.error(error, message);
            case DESCRIBE_TOPIC -> DescribeTopic.Response.error(error, message);
            case INIT_PRODUCER -> InitProducer.Response.error(error, message);
            case PRODUCE -> Produce.Response.error(error, message);
            case FETCH -> Fetch.Response.error(error, message);
            case JOIN_GROUP -> JoinGroup.Response.error(error, message);
            case LEAVE_GROUP -> LeaveGroup.Response.error(error, message);
            case HEARTBEAT -> Heartbeat.Response.error(error, message);
            case POLL -> Poll.Response.error(error, message);
            case ACK -> Ack.Response.error(error, message);
            case NACK -> Nack.Response.error(error, message);
            case RELEASE_PRODUCER -> ReleaseProducer.Response.error(error, message);
            case LIST_PRODUCERS -> ListProducers.Response.error(error, message);
            case DELETE_TOPIC -> DeleteTopic.Response.error(error, message);
            case ADD_PARTITIONS -> AddPartitions.Response.error(error, message);
            case LIST_GROUPS -> ListGroups.Response.error(error, message);
            case DESCRIBE_GROUP -> DescribeGroup.Response.error(error, message);
            case RESET_GROUP -> ResetGroup.Response.error(error, message);
            case AUTHENTICATE -> Authenticate.Response.error(error, message);
        };
    }
}
