package io.semel.verify.checker.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.semel.verify.checker.Anomaly;
import io.semel.verify.checker.AnomalyExample;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Counts;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.internal.HistoryCodec;
import java.util.Collection;

/** JSON rendering of a {@link CheckResult}; the layout is described in docs/verify.md. Stateless, thread-safe. */
public final class ResultJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ResultJson() {
    }

    public static String render(CheckResult r) {
        ObjectNode root = NODES.objectNode();
        root.put("guarantee", r.guarantee().wireName());
        root.put("verdict", r.verdict().wireName());
        strings(root.putArray("reasons"), r.reasons());
        Counts c = r.counts();
        root.putObject("counts")
                .put("attempted", c.attempted()).put("confirmed", c.confirmed()).put("failed", c.failed())
                .put("unknown", c.unknown()).put("recovered", c.recovered()).put("deliveries", c.deliveries())
                .put("delivered", c.delivered()).put("logged", c.logged()).put("applied", c.applied())
                .put("lost", c.lost()).put("duplicated", c.duplicated()).put("unseen", c.unseen());
        ObjectNode anomalies = root.putObject("anomalies");
        for (Anomaly a : r.anomalies().values()) {
            ObjectNode n = anomalies.putObject(a.kind().wireName());
            n.put("fatal", a.fatal());
            n.put("count", a.count());
            strings(n.putArray("subjects"), a.subjects());
            ArrayNode examples = n.putArray("examples");
            for (AnomalyExample ex : a.examples()) {
                ObjectNode e = examples.addObject();
                e.put("subject", ex.subject());
                e.put("detail", ex.detail());
                ArrayNode events = e.putArray("events");
                for (HistoryEvent he : ex.events()) {
                    events.add(HistoryCodec.toNode(he));
                }
            }
        }
        ObjectNode hist = root.putObject("redeliveryHistogram");
        r.redeliveryHistogram().forEach((count, n) -> hist.put(Integer.toString(count), n));
        strings(root.putArray("unseen"), r.unseen());
        strings(root.putArray("recovered"), r.recovered());
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot render check result", ex);
        }
    }

    private static void strings(ArrayNode a, Collection<String> xs) {
        xs.forEach(a::add);
    }
}
