package io.semel.broker.security;

/** What an ACL protects: a topic, a consumer group, or the broker as a whole. */
public enum ResourceType {
    TOPIC,
    GROUP,
    /** The broker itself; its one resource is named {@link Resource#CLUSTER_NAME}. */
    CLUSTER
}
