package io.semel.spring;

import io.semel.processor.ProcessorStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Actuator health {@code semel}: DOWN when a processor has FAILED (its poll loop stopped on an
 * error it cannot survive) or the relay stopped on its own (store and broker diverged), else UP
 * while the processors run, OUT_OF_SERVICE before start and after stop. Details: each processor's
 * state and counters, the relay's description and counters. Thread-safe (reads snapshots).
 */
public class SemelHealthIndicator implements HealthIndicator {
    private final SemelProcessors processors;
    private final ObjectProvider<SemelOutbox> outbox;

    public SemelHealthIndicator(SemelProcessors processors, ObjectProvider<SemelOutbox> outbox) {
        this.processors = processors;
        this.outbox = outbox;
    }

    @Override
    public Health health() {
        Health.Builder h = processors.state() == SemelProcessors.State.RUNNING ? Health.up() : Health.outOfService();
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, ProcessorStatus> e : processors.status().entrySet()) {
            ProcessorStatus s = e.getValue();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("state", s.state().name());
            d.put("consumer", s.consumer());
            d.put("processed", s.processed());
            d.put("duplicatesSkipped", s.duplicatesSkipped());
            d.put("redeliveriesSeen", s.redeliveriesSeen());
            d.put("nacked", s.nacked());
            if (s.lastError() != null) {
                d.put("lastError", s.lastError());
            }
            details.put(e.getKey(), d);
            if (s.state() == ProcessorStatus.State.FAILED) {
                h.down();
            }
        }
        h.withDetail("processors", details);
        SemelOutbox relay = outbox.getIfAvailable();
        if (relay != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            relay.describe().ifPresent(d -> r.put("relay", d));
            r.put("sent", relay.counter("sent"));
            relay.failure().ifPresent(f -> {
                r.put("failure", f.toString());
                h.down();
            });
            h.withDetail("outbox", r);
        }
        return h.build();
    }
}
