package io.semel.broker.internal;

import io.semel.broker.security.Operation;
import io.semel.broker.security.Resource;
import io.semel.protocol.Ack;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.DescribeTopic;
import io.semel.protocol.Fetch;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.InitProducer;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Metadata;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import io.semel.protocol.Produce;
import java.util.ArrayList;
import java.util.List;

/**
 * What each request needs to be allowed: its (operation, resource) pairs, all of which the
 * {@link io.semel.broker.security.Authorizer} must grant. The table is in
 * {@link io.semel.broker.security.Operation}. <b>An API that is not listed here is denied</b>
 * whenever authorization is on ({@link #of} returns null) to everyone but users holding ADMIN on
 * the cluster (and super-users): a new API must be added to this switch to be usable by ordinary
 * users on a secured broker. HELLO and AUTHENTICATE never get here (the connection answers
 * them itself). Stateless.
 */
final class RequestActions {
    /** One thing a request does. */
    record Action(Operation operation, Resource resource) {
    }

    private RequestActions() {
    }

    /** The actions {@code request} needs, or null when its API has no mapping (deny). */
    static List<Action> of(ApiRequest request) {
        return switch (request.apiKey()) {
            case METADATA -> metadata((Metadata.Request) request);
            case LIST_TOPICS -> List.of(new Action(Operation.DESCRIBE, Resource.CLUSTER));
            case DESCRIBE_TOPIC -> topic(Operation.DESCRIBE, ((DescribeTopic.Request) request).topic());
            case CREATE_TOPIC -> List.of(new Action(Operation.ADMIN, Resource.CLUSTER));
            case INIT_PRODUCER -> topic(Operation.PRODUCE, ((InitProducer.Request) request).topic());
            case PRODUCE -> topic(Operation.PRODUCE, ((Produce.Request) request).topic());
            case FETCH -> topic(Operation.CONSUME, ((Fetch.Request) request).topic());
            case JOIN_GROUP -> {
                JoinGroup.Request r = (JoinGroup.Request) request;
                yield List.of(new Action(Operation.CONSUME, Resource.topic(r.topic())),
                        new Action(Operation.CONSUME, Resource.group(r.group())));
            }
            case LEAVE_GROUP -> group(((LeaveGroup.Request) request).group());
            case HEARTBEAT -> group(((Heartbeat.Request) request).group());
            case POLL -> group(((Poll.Request) request).group());
            case ACK -> group(((Ack.Request) request).group());
            case NACK -> group(((Nack.Request) request).group());
            default -> null;
        };
    }

    private static List<Action> metadata(Metadata.Request r) {
        if (r.topics().isEmpty()) {
            return List.of(new Action(Operation.DESCRIBE, Resource.CLUSTER)); // every topic
        }
        List<Action> out = new ArrayList<>(r.topics().size());
        for (String t : r.topics()) {
            out.add(new Action(Operation.DESCRIBE, Resource.topic(t)));
        }
        return out;
    }

    private static List<Action> topic(Operation op, String topic) {
        return List.of(new Action(op, Resource.topic(topic)));
    }

    private static List<Action> group(String group) {
        return List.of(new Action(Operation.CONSUME, Resource.group(group)));
    }
}
