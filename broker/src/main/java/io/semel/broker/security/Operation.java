package io.semel.broker.security;

/**
 * What a request does, for the ACLs. Each applies to one {@link ResourceType}.
 *
 * <pre>
 * operation  resource  requests                                             implies
 * ---------  --------  ---------------------------------------------------  -----------------
 * PRODUCE    TOPIC     INIT_PRODUCER, PRODUCE                               DESCRIBE topic
 * CONSUME    TOPIC     FETCH, JOIN_GROUP (with CONSUME on the group)        DESCRIBE topic
 * CONSUME    GROUP     JOIN_GROUP, LEAVE_GROUP, HEARTBEAT, POLL, ACK, NACK  —
 * DESCRIBE   TOPIC     METADATA of named topics, DESCRIBE_TOPIC             —
 * DESCRIBE   CLUSTER   LIST_TOPICS, METADATA of all topics                  —
 * ADMIN      CLUSTER   CREATE_TOPIC and every administrative API            DESCRIBE anything
 * </pre>
 */
public enum Operation {
    PRODUCE,
    CONSUME,
    DESCRIBE,
    ADMIN
}
