package io.semel.spring.internal;

import io.semel.kafka.KafkaOutboxRelay;
import io.semel.processor.store.JdbcStore;
import io.semel.spring.KafkaSettings;
import io.semel.spring.RelaySettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Kafka module's transactional {@link KafkaOutboxRelay}, started on its own thread. Loaded only
 * when semel-kafka is on the classpath (referenced from the Kafka auto-configuration alone).
 */
public final class KafkaRelayRunner implements RelayRunner {
    private final KafkaOutboxRelay relay;
    private final String relayName;
    private final String bootstrapServers;

    private KafkaRelayRunner(KafkaOutboxRelay relay, String relayName, String bootstrapServers) {
        this.relay = relay;
        this.relayName = relayName;
        this.bootstrapServers = bootstrapServers;
    }

    public static KafkaRelayRunner start(JdbcStore store, String bootstrapServers, RelaySettings s, KafkaSettings k) {
        KafkaOutboxRelay relay = KafkaOutboxRelay.builder(store, bootstrapServers, s.getRelayName())
                .progressTopic(k.getRelayProgressTopic())
                .progressReplicationFactor(k.getRelayProgressReplicationFactor())
                .relayBatchMax(s.getRelayBatchMax()).pollIntervalMs(s.getPollIntervalMs())
                .backoffMs(s.getBackoffMs()).backoffMaxMs(s.getBackoffMaxMs()).build();
        return new KafkaRelayRunner(relay.start(), s.getRelayName(), bootstrapServers);
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("sent", relay.sent());
        m.put("sessions", relay.sessions());
        return m;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(relay.failure());
    }

    @Override
    public String describe() {
        return "relay '" + relayName + "' to Kafka " + bootstrapServers + " (" + relay.state() + ")";
    }

    @Override
    public void close() {
        relay.close();
    }
}
