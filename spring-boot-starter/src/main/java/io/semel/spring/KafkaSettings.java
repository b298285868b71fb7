package io.semel.spring;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code semel.kafka.*}: used when {@code semel.source=kafka} (or {@code semel.relay.target=kafka})
 * and semel-kafka is on the classpath. The consumer's position lives in the store, not in Kafka.
 */
public class KafkaSettings {
    /** Where a partition without a stored position starts (mirrors KafkaSourceBuilder.InitialPosition). */
    public enum InitialPosition { EARLIEST, LATEST }

    /** Kafka bootstrap.servers, host:port[,host:port]. */
    private String bootstrapServers;

    /** Deliveries of a failing record before the processor dead-letters it to {@code <topic>.dlq}. */
    private int maxDeliveries = 5;

    /** Pause of a partition after a nack, ms, doubling per redelivery up to nack-backoff-max-ms. */
    private long nackBackoffMs = 100;

    /** Cap of the nack pause, ms. */
    private long nackBackoffMaxMs = 10_000;

    /** Kafka session.timeout.ms of the source's consumer. */
    private int sessionTimeoutMs = 45_000;

    /** Where a partition without a stored position starts: EARLIEST or LATEST. */
    private InitialPosition initialPosition = InitialPosition.EARLIEST;

    /** Kafka relay: replication factor when it creates its progress topic (use 1 on a single broker). */
    private int relayProgressReplicationFactor = 3;

    /** Kafka relay: the compacted topic of its progress records. */
    private String relayProgressTopic = "semel.relay.progress";

    /** Other Kafka consumer settings (security, group.instance.id, ...); the source refuses the ones it fixes. */
    private Map<String, String> consumerProperties = new LinkedHashMap<>();

    public String requireBootstrapServers(String why) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalStateException("semel.kafka.bootstrap-servers is not set, but " + why + " uses Kafka; "
                    + "set semel.kafka.bootstrap-servers=host:port");
        }
        return bootstrapServers;
    }

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public int getMaxDeliveries() {
        return maxDeliveries;
    }

    public void setMaxDeliveries(int maxDeliveries) {
        this.maxDeliveries = maxDeliveries;
    }

    public long getNackBackoffMs() {
        return nackBackoffMs;
    }

    public void setNackBackoffMs(long nackBackoffMs) {
        this.nackBackoffMs = nackBackoffMs;
    }

    public long getNackBackoffMaxMs() {
        return nackBackoffMaxMs;
    }

    public void setNackBackoffMaxMs(long nackBackoffMaxMs) {
        this.nackBackoffMaxMs = nackBackoffMaxMs;
    }

    public int getSessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public void setSessionTimeoutMs(int sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    public InitialPosition getInitialPosition() {
        return initialPosition;
    }

    public void setInitialPosition(InitialPosition initialPosition) {
        this.initialPosition = initialPosition;
    }

    public Map<String, String> getConsumerProperties() {
        return consumerProperties;
    }

    public void setConsumerProperties(Map<String, String> consumerProperties) {
        this.consumerProperties = consumerProperties;
    }

    public int getRelayProgressReplicationFactor() {
        return relayProgressReplicationFactor;
    }

    public void setRelayProgressReplicationFactor(int relayProgressReplicationFactor) {
        this.relayProgressReplicationFactor = relayProgressReplicationFactor;
    }

    public String getRelayProgressTopic() {
        return relayProgressTopic;
    }

    public void setRelayProgressTopic(String relayProgressTopic) {
        this.relayProgressTopic = relayProgressTopic;
    }
}
