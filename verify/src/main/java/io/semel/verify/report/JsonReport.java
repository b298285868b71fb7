package io.semel.verify.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.semel.verify.schedule.TimedFault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One run as JSON: {@code {"run": {...}, "check": <CheckResult.toJson()>}}. Stateless, thread-safe.
 *
 * <pre>
 * run.guarantee            string   exactly-once | at-least-once | at-most-once
 * run.seed                 integer
 * run.durationMs           integer  wall time of the run
 * run.throughput           object   {meanPerSecond, peakPerSecond, perSecond: [confirmed sends in second i]}
 * run.schedule             object   {seed, healAtMs, faults: [{fault, target, startMs, stopMs, window}]}
 * run.faultsInjected       array    [{fault, targets, startMs, stopMs (-1: not healed)}]
 * run.faultsInjectedByKind object   fault → count
 * run.overlaps             array    groups of faults chained by overlapping: [[{fault, targets, startMs, stopMs}]]
 * run.overlappingPairs     array    every pair of faults on at the same time: [[{…}, {…}]]
 * run.verdict              string   the run's verdict: check.verdict made worse by run.health (RunHealth)
 * run.reasons              array    check.reasons, then the harness's own
 * run.health               object   {producerStops, stoppedProducers, tornLines, tornUnexplained, rejectedLines}
 * check                    object   CheckResult.toJson(), see docs/verify.md
 * </pre>
 */
public final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    public static String render(RunSummary s) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode run = root.putObject("run");
        run.put("guarantee", s.guarantee().wireName());
        run.put("seed", s.seed());
        run.put("durationMs", s.duration().toMillis());
        ObjectNode tp = run.putObject("throughput");
        tp.put("meanPerSecond", Math.round(s.meanThroughput() * 10) / 10.0);
        tp.put("peakPerSecond", s.peakThroughput());
        ArrayNode perSecond = tp.putArray("perSecond");
        s.confirmedPerSecond().forEach(perSecond::add);
        ObjectNode schedule = run.putObject("schedule");
        schedule.put("seed", s.schedule().seed());
        schedule.put("healAtMs", s.schedule().healAtMs());
        ArrayNode planned = schedule.putArray("faults");
        for (TimedFault f : s.schedule().faults()) {
            planned.addObject().put("fault", f.kind().wireName()).put("target", f.target())
                    .put("startMs", f.startMs()).put("stopMs", f.stopMs()).put("window", f.window());
        }
        addFaults(run.putArray("faultsInjected"), s.faults());
        ArrayNode overlaps = run.putArray("overlaps");
        s.overlaps().forEach(group -> addFaults(overlaps.addArray(), group));
        ArrayNode pairs = run.putArray("overlappingPairs");
        s.overlappingPairs().forEach(p -> addFaults(pairs.addArray(), List.of(p.first(), p.second())));
        ObjectNode byKind = run.putObject("faultsInjectedByKind");
        s.faultsByKind().forEach(byKind::put);
        run.put("verdict", s.verdict().wireName());
        s.reasons().forEach(run.putArray("reasons")::add);
        ObjectNode health = run.putObject("health");
        health.put("producerStops", s.health().producerStops());
        s.health().stoppedProducers().forEach(health.putArray("stoppedProducers")::add);
        health.put("tornLines", s.health().tornLines()).put("tornUnexplained", s.health().tornUnexplained())
                .put("rejectedLines", s.health().rejectedLines()).put("outputChecked", s.health().outputChecked());
        s.health().outputProblems().forEach(health.putArray("outputProblems")::add);
        try {
            root.set("check", MAPPER.readTree(s.result().toJson()));
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            // CheckResult.toJson() is produced by Jackson; failing to read it back is a bug, not an input error.
            throw new IllegalStateException("CheckResult.toJson() did not parse back", e);
        }
    }

    /** One {fault, targets, startMs, stopMs} object per fault. */
    private static void addFaults(ArrayNode into, List<InjectedFault> faults) {
        for (InjectedFault f : faults) {
            ObjectNode n = into.addObject().put("fault", f.fault());
            f.targets().forEach(n.putArray("targets")::add);
            n.put("startMs", f.startMs()).put("stopMs", f.stopMs());
        }
    }

    public static void write(RunSummary s, Path file) throws IOException {
        Files.writeString(file, render(s), StandardCharsets.UTF_8);
    }
}
