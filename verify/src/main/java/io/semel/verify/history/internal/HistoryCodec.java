package io.semel.verify.history.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.semel.verify.history.AccountState;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.LogRecord;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpFunction;
import io.semel.verify.history.OpType;
import io.semel.verify.history.ScheduledFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON Lines encoding of {@link HistoryEvent}; the layout is documented on
 * {@link io.semel.verify.history.HistoryWriter}. Written by hand over Jackson's tree model, so the
 * file layout is fixed here and not by reflection. Thread-safe (stateless; the mapper is immutable
 * after construction).
 */
public final class HistoryCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private HistoryCodec() {
    }

    /** One line of JSON, without the newline. */
    public static String encode(HistoryEvent e) {
        try {
            return MAPPER.writeValueAsString(toNode(e));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot encode history event " + e.i(), ex);
        }
    }

    /** The event as a JSON tree, also used to embed events in check reports. */
    public static ObjectNode toNode(HistoryEvent e) {
        ObjectNode n = NODES.objectNode();
        n.put("i", e.i());
        n.put("tNs", e.tNs());
        n.put("proc", e.proc());
        n.put("type", e.type().wireName());
        n.put("f", e.f().wireName());
        ObjectNode v = valueNode(e.value());
        if (e.error() != null) {
            v.put("error", e.error());
        }
        n.set("value", v);
        return n;
    }

    /** Parses one line; throws {@link IllegalArgumentException} naming the bad field. */
    public static HistoryEvent decode(String line) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("not JSON: " + ex.getOriginalMessage(), ex);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        OpType type = OpType.fromWireName(text(n, "type"));
        OpFunction f = OpFunction.fromWireName(text(n, "f"));
        JsonNode v = n.get("value");
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("field 'value' must be an object");
        }
        String error = v.hasNonNull("error") ? text(v, "error") : null;
        return new HistoryEvent(number(n, "i"), number(n, "tNs"), text(n, "proc"), type, decodeValue(f, type, v),
                error);
    }

    private static ObjectNode valueNode(EventValue value) {
        ObjectNode v = NODES.objectNode();
        if (value instanceof EventValue.Header h) {
            v.put("format", h.formatVersion());
            v.put("guarantee", h.guarantee().wireName());
            if (h.seed() != null) {
                v.put("seed", h.seed());
            }
            if (h.minConfirmed() != null) {
                v.put("minConfirmed", h.minConfirmed());
            }
            if (h.engine() != null) {
                v.put("engine", h.engine());
            }
            ArrayNode faults = v.putArray("faults");
            for (ScheduledFault sf : h.faults()) {
                ObjectNode f = faults.addObject();
                f.put("fault", sf.fault());
                strings(f.putArray("targets"), sf.targets());
            }
        } else if (value instanceof EventValue.Send s) {
            v.put("id", s.id());
            v.put("key", s.key());
            v.put("amt", s.amt());
            if (s.partition() != EventValue.UNASSIGNED) {
                v.put("partition", s.partition());
            }
            if (s.offset() != EventValue.UNASSIGNED) {
                v.put("offset", s.offset());
            }
        } else if (value instanceof EventValue.Deliver d) {
            v.put("consumer", d.consumer());
            v.put("epoch", d.epoch());
            ArrayNode ms = v.putArray("messages");
            for (Delivery m : d.messages()) {
                ObjectNode mn = ms.addObject().put("id", m.id()).put("partition", m.partition())
                        .put("offset", m.offset()).put("deliveryCount", m.deliveryCount());
                if (m.leaseEpoch() != EventValue.UNASSIGNED) {
                    mn.put("leaseEpoch", m.leaseEpoch());
                }
            }
        } else if (value instanceof EventValue.Apply a) {
            v.put("consumer", a.consumer());
            strings(v.putArray("ids"), a.ids());
            ObjectNode offs = v.putObject("inputOffsets");
            a.inputOffsets().forEach((p, o) -> offs.put(Integer.toString(p), o));
        } else if (value instanceof EventValue.Ack a) {
            v.put("consumer", a.consumer());
            strings(v.putArray("ids"), a.ids());
        } else if (value instanceof EventValue.Nemesis ne) {
            v.put("fault", ne.fault());
            strings(v.putArray("targets"), ne.targets());
            v.put("phase", ne.phase().wireName());
        } else if (value instanceof EventValue.DrainLog dl) {
            ArrayNode rs = v.putArray("records");
            for (LogRecord r : dl.records()) {
                rs.addObject().put("partition", r.partition()).put("offset", r.offset()).put("id", r.id());
            }
        } else if (value instanceof EventValue.ReadState rs) {
            ObjectNode accounts = v.putObject("accounts");
            rs.accounts().forEach((k, acc) -> {
                ObjectNode a = accounts.putObject(k);
                a.put("balance", acc.balance());
                strings(a.putArray("appliedIds"), acc.appliedIds());
            });
            ObjectNode pos = v.putObject("positions");
            rs.positions().forEach((p, o) -> pos.put(Integer.toString(p), o));
            // Written only for reads during the workload, so final reads keep the original layout.
            if (!rs.isFinal()) {
                v.put("final", false);
            }
        }
        return v;
    }

    private static EventValue decodeValue(OpFunction f, OpType type, JsonNode v) {
        switch (f) {
            case HEADER: {
                List<ScheduledFault> faults = new ArrayList<>();
                for (JsonNode sf : array(v, "faults")) {
                    faults.add(new ScheduledFault(text(sf, "fault"), stringList(sf, "targets")));
                }
                return new EventValue.Header((int) number(v, "format"),
                        Guarantee.fromWireName(text(v, "guarantee")), faults,
                        v.has("seed") ? Long.valueOf(number(v, "seed")) : null,
                        v.has("minConfirmed") ? Integer.valueOf((int) number(v, "minConfirmed")) : null,
                        v.has("engine") ? text(v, "engine") : null);
            }
            case SEND: {
                boolean confirmed = type == OpType.OK;
                // An ok send without its assignment could not be checked for inconsistent offsets.
                long partition = confirmed || v.has("partition") ? number(v, "partition") : EventValue.UNASSIGNED;
                long offset = confirmed || v.has("offset") ? number(v, "offset") : EventValue.UNASSIGNED;
                return new EventValue.Send(text(v, "id"), text(v, "key"), number(v, "amt"), partition, offset);
            }
            case DELIVER: {
                List<Delivery> ms = new ArrayList<>();
                for (JsonNode m : optionalArray(v, "messages")) {
                    ms.add(new Delivery(text(m, "id"), number(m, "partition"), number(m, "offset"),
                            (int) number(m, "deliveryCount"),
                            m.has("leaseEpoch") ? number(m, "leaseEpoch") : EventValue.UNASSIGNED));
                }
                return new EventValue.Deliver(text(v, "consumer"), number(v, "epoch"), ms);
            }
            case APPLY:
                return new EventValue.Apply(text(v, "consumer"), optionalStringList(v, "ids"),
                        partitionMap(v, "inputOffsets"));
            case ACK:
                return new EventValue.Ack(text(v, "consumer"), optionalStringList(v, "ids"));
            case NEMESIS:
                return new EventValue.Nemesis(text(v, "fault"), stringList(v, "targets"),
                        NemesisPhase.fromWireName(text(v, "phase")));
            case DRAIN_LOG: {
                List<LogRecord> rs = new ArrayList<>();
                for (JsonNode r : optionalArray(v, "records")) {
                    rs.add(new LogRecord(number(r, "partition"), number(r, "offset"), text(r, "id")));
                }
                return new EventValue.DrainLog(rs);
            }
            case READ_STATE: {
                Map<String, AccountState> accounts = new TreeMap<>();
                JsonNode as = v.get("accounts");
                if (as != null && !as.isNull()) {
                    requireObject(as, "accounts");
                    for (Map.Entry<String, JsonNode> en : as.properties()) {
                        accounts.put(en.getKey(), new AccountState(number(en.getValue(), "balance"),
                                stringList(en.getValue(), "appliedIds")));
                    }
                }
                boolean isFinal = !v.has("final") || bool(v, "final");
                return new EventValue.ReadState(new TreeMap<>(accounts), new TreeMap<>(partitionMap(v, "positions")),
                        isFinal);
            }
            default:
                throw new IllegalArgumentException("unhandled f " + f);
        }
    }

    private static void strings(ArrayNode a, List<String> xs) {
        xs.forEach(a::add);
    }

    private static String text(JsonNode n, String field) {
        JsonNode x = n.get(field);
        if (x == null || !x.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string, got " + x);
        }
        return x.textValue();
    }

    private static long number(JsonNode n, String field) {
        JsonNode x = n.get(field);
        if (x == null || !x.canConvertToLong() || !x.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be an integer, got " + x);
        }
        return x.longValue();
    }

    private static boolean bool(JsonNode n, String field) {
        JsonNode x = n.get(field);
        if (x == null || !x.isBoolean()) {
            throw new IllegalArgumentException("field '" + field + "' must be true or false, got " + x);
        }
        return x.booleanValue();
    }

    private static JsonNode array(JsonNode n, String field) {
        JsonNode x = n.get(field);
        if (x == null || !x.isArray()) {
            throw new IllegalArgumentException("field '" + field + "' must be an array, got " + x);
        }
        return x;
    }

    private static JsonNode optionalArray(JsonNode n, String field) {
        return n.hasNonNull(field) ? array(n, field) : NODES.arrayNode();
    }

    private static List<String> stringList(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array(n, field)) {
            if (!s.isTextual()) {
                throw new IllegalArgumentException("field '" + field + "' must hold strings, got " + s);
            }
            out.add(s.textValue());
        }
        return out;
    }

    private static List<String> optionalStringList(JsonNode n, String field) {
        return n.hasNonNull(field) ? stringList(n, field) : List.of();
    }

    private static Map<Integer, Long> partitionMap(JsonNode n, String field) {
        Map<Integer, Long> out = new TreeMap<>();
        JsonNode x = n.get(field);
        if (x == null || x.isNull()) {
            return out;
        }
        requireObject(x, field);
        for (Map.Entry<String, JsonNode> en : x.properties()) {
            int partition;
            try {
                partition = Integer.parseInt(en.getKey());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("field '" + field + "' keys must be partition numbers, got '"
                        + en.getKey() + "'", ex);
            }
            if (!en.getValue().isIntegralNumber()) {
                throw new IllegalArgumentException("field '" + field + "." + en.getKey() + "' must be an integer");
            }
            out.put(partition, en.getValue().longValue());
        }
        return out;
    }

    private static void requireObject(JsonNode x, String field) {
        if (!x.isObject()) {
            throw new IllegalArgumentException("field '" + field + "' must be an object, got " + x);
        }
    }
}
