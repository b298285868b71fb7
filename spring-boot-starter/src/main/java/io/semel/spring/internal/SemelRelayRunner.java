package io.semel.spring.internal;

import io.semel.processor.outbox.OutboxRelay;
import io.semel.processor.store.JdbcStore;
import io.semel.spring.RelaySettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The processor module's {@link OutboxRelay} to a Semel broker, started on its own thread. */
public final class SemelRelayRunner implements RelayRunner {
    private final OutboxRelay relay;
    private final String bootstrap;

    private SemelRelayRunner(OutboxRelay relay, String bootstrap) {
        this.relay = relay;
        this.bootstrap = bootstrap;
    }

    /** Builds and starts the relay thread. */
    public static SemelRelayRunner start(JdbcStore store, String bootstrap, String username, String password,
            RelaySettings s) {
        OutboxRelay.Builder b = username == null
                ? OutboxRelay.builder(store, bootstrap)
                : OutboxRelay.builder(store, name -> io.semel.client.Producer.builder(bootstrap).durable(name)
                        .clientId(name).credentials(username, password).build());
        OutboxRelay relay = b.relayName(s.getRelayName()).relayBatchMax(s.getRelayBatchMax())
                .pollIntervalMs(s.getPollIntervalMs()).backoffMs(s.getBackoffMs(), s.getBackoffMaxMs())
                .sendTimeoutMs(s.getSendTimeoutMs()).build();
        return new SemelRelayRunner(relay.start(), bootstrap);
    }

    @Override
    public Map<String, Long> counters() {
        OutboxRelay.Stats st = relay.stats();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("sent", st.sent());
        m.put("sessions", st.sessions());
        m.put("errors", st.errors());
        m.put("duplicates", st.duplicates());
        m.put("already_in_log", st.alreadyInLog());
        return m;
    }

    @Override
    public Optional<Throwable> failure() {
        return relay.failure();
    }

    @Override
    public String describe() {
        return "relay '" + relay.relayName() + "' to Semel broker " + bootstrap;
    }

    @Override
    public void close() {
        relay.close();
    }
}
