package io.semel.verify.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The identity of a child JVM: everything needed to start it again the same way. Immutable.
 *
 * @param name participant name; also the subdirectory of {@code runDir} holding its stdout/stderr
 * @param mainClass fully qualified main class
 * @param args program arguments
 * @param systemProperties passed as {@code -Dkey=value}
 * @param heapMb {@code -Xmx}, megabytes
 * @param classpath the child's classpath
 * @param runDir run directory; output goes to {@code runDir/name/stdout.log} and {@code stderr.log}, appended
 *     across restarts so every life of the process is kept
 * @param readyLinePrefix start waits for a stdout line starting with this
 * @param readyTimeout how long start waits for that line
 * @param jvmOptions extra JVM options placed before the system properties (e.g. {@code -XX:+UseSerialGC} for the
 *     Kafka brokers, which should use few threads on a shared machine)
 */
public record ChildSpec(String name, String mainClass, List<String> args, SortedMap<String, String> systemProperties,
        int heapMb, String classpath, Path runDir, String readyLinePrefix, Duration readyTimeout, List<String> jvmOptions) {
    public static final int HEAP_MB_DEFAULT = 256;
    public static final Duration READY_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

    public ChildSpec {
        requireText(name, "name");
        requireText(mainClass, "mainClass");
        requireText(classpath, "classpath");
        requireText(readyLinePrefix, "readyLinePrefix");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        args = List.copyOf(args);
        jvmOptions = List.copyOf(jvmOptions);
        systemProperties = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(systemProperties));
        if (heapMb < 16) {
            throw new IllegalArgumentException("heapMb " + heapMb + " is below the 16 MB a JVM needs");
        }
    }

    /**
     * A spec with no arguments or properties, {@value #HEAP_MB_DEFAULT} MB heap, the current JVM's classpath
     * and a 30 s readiness timeout.
     */
    public static ChildSpec of(String name, String mainClass, Path runDir, String readyLinePrefix) {
        return new ChildSpec(name, mainClass, List.of(), new TreeMap<>(), HEAP_MB_DEFAULT, currentClasspath(), runDir,
                readyLinePrefix, READY_TIMEOUT_DEFAULT, List.of());
    }

    /** Surefire's test classpath when running under it (java.class.path is then a manifest jar), else ours. */
    public static String currentClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    public ChildSpec withArgs(List<String> newArgs) {
        return new ChildSpec(name, mainClass, newArgs, systemProperties, heapMb, classpath, runDir, readyLinePrefix,
                readyTimeout, jvmOptions);
    }

    public ChildSpec withSystemProperties(Map<String, String> props) {
        return new ChildSpec(name, mainClass, args, new TreeMap<>(props), heapMb, classpath, runDir, readyLinePrefix,
                readyTimeout, jvmOptions);
    }

    public ChildSpec withHeapMb(int mb) {
        return new ChildSpec(name, mainClass, args, systemProperties, mb, classpath, runDir, readyLinePrefix,
                readyTimeout, jvmOptions);
    }

    public ChildSpec withReadyTimeout(Duration d) {
        return new ChildSpec(name, mainClass, args, systemProperties, heapMb, classpath, runDir, readyLinePrefix, d, jvmOptions);
    }

    public ChildSpec withJvmOptions(List<String> options) {
        return new ChildSpec(name, mainClass, args, systemProperties, heapMb, classpath, runDir, readyLinePrefix,
                readyTimeout, options);
    }

    public Path dir() {
        return runDir.resolve(name);
    }

    public Path stdout() {
        return dir().resolve("stdout.log");
    }

    public Path stderr() {
        return dir().resolve("stderr.log");
    }

    private static void requireText(String s, String field) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(field + " must be non-empty, got " + s);
        }
    }
}
