package io.semel.verify.checker;

import io.semel.verify.history.HistoryReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak-scale checker run, by hand (docs/verify.md, "Checking a soak-sized history"):
 *
 * <pre>
 * java -Xmx4g -cp … io.semel.verify.checker.BigHistoryMain write target/big.jsonl 2700000 [LOST,DUP_LOG,…]
 * java -Xmx4g -cp … io.semel.verify.checker.BigHistoryMain check target/big.jsonl
 * java -Xmx4g -cp … io.semel.verify.checker.BigHistoryMain check-in-memory target/big.jsonl
 * </pre>
 *
 * 2,700,000 messages make about 7 million events. {@code check} streams the file ({@link Checker#check(Path)});
 * {@code check-in-memory} reads it whole first ({@link HistoryReader#readAll(Path)}), as callers did before.
 * Each prints the wall time and the peak heap after the run next to the setup.
 */
public final class BigHistoryMain {
    private BigHistoryMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BigHistoryMain write FILE MESSAGES [PLANT,…] | check FILE | check-in-memory FILE");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        long startNs = System.nanoTime();
        switch (args[0]) {
            case "write" -> {
                List<SyntheticHistory.Plant> plants = new ArrayList<>();
                if (args.length > 3) {
                    for (String p : args[3].split(",")) {
                        plants.add(SyntheticHistory.Plant.valueOf(p));
                    }
                }
                long events = new SyntheticHistory(Integer.parseInt(args[2]), 1, plants).write(file);
                System.out.println("wrote " + events + " events, " + Files.size(file) + " bytes, plants " + plants);
            }
            case "check" -> print(new Checker().check(file));
            case "check-in-memory" -> print(new Checker().check(HistoryReader.readAll(file)));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("%s %s: %.1f s, heap max %d MiB, peak used (sum of pool peaks) %d MiB%n", args[0], file,
                (System.nanoTime() - startNs) / 1e9, Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
    }

    private static void print(CheckResult r) {
        System.out.println("verdict " + r.verdict() + ", counts " + r.counts());
        r.reasons().forEach(x -> System.out.println("  " + x));
    }
}
