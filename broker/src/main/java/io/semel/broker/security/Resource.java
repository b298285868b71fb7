package io.semel.broker.security;

import java.util.Objects;

/** One named thing a request touches: topic {@code orders}, group {@code billing}, the cluster. */
public record Resource(ResourceType type, String name) {
    /** The name of the one CLUSTER resource. */
    public static final String CLUSTER_NAME = "cluster";
    public static final Resource CLUSTER = new Resource(ResourceType.CLUSTER, CLUSTER_NAME);

    public Resource {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }

    public static Resource topic(String name) {
        return new Resource(ResourceType.TOPIC, name);
    }

    public static Resource group(String name) {
        return new Resource(ResourceType.GROUP, name);
    }

    @Override
    public String toString() {
        return type == ResourceType.CLUSTER ? "the cluster" : type.name().toLowerCase(java.util.Locale.ROOT) + " '"
                + name + "'";
    }
}
