package io.semel.verify.process;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM the harness starts, kills, pauses and restarts: a broker, producer or processor under test.
 * Its stdout and stderr are appended to files under {@link ChildSpec#dir()} (never piped, so a paused or dead
 * harness reader cannot block the child); readiness is a line with {@link ChildSpec#readyLinePrefix()} in
 * stdout, polled from the file.
 *
 * <p>Signals: kill = SIGKILL ({@link Process#destroyForcibly()}, then wait); pause/resume = SIGSTOP/SIGCONT
 * via {@code kill -STOP|-CONT <pid>} (Linux/macOS only).
 *
 * <p>Thread-safe: every action holds this object's monitor, including while it waits for the child (a
 * start waits up to the readiness timeout). Only harness threads call it, and actions on one child must be
 * serial anyway.
 */
public final class ChildProcess implements ProcessControl, Closeable {
    /** How long to wait for a killed process to be reaped before reporting the kill as failed. */
    public static final long KILL_WAIT_MS = 10_000;
    /** How long to wait for the {@code kill} command that delivers SIGSTOP/SIGCONT. */
    public static final long SIGNAL_COMMAND_WAIT_MS = 5_000;
    private static final long READY_POLL_MS = 10;
    private static final int STDERR_TAIL_CHARS = 2_000;

    private final ChildSpec spec;
    private final ProcessListener listener;
    private Process process;
    private boolean paused;

    public ChildProcess(ChildSpec spec, ProcessListener listener) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Starts {@code spec} and waits for its readiness line; the child is killed if it never gets ready. */
    public static ChildProcess start(ChildSpec spec, ProcessListener listener) throws IOException {
        ChildProcess c = new ChildProcess(spec, listener);
        c.start();
        return c;
    }

    @Override
    public String name() {
        return spec.name();
    }

    public ChildSpec spec() {
        return spec;
    }

    /** The command line used for every start, e.g. for the run's log. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + spec.heapMb() + "m");
        cmd.addAll(spec.jvmOptions());
        for (Map.Entry<String, String> p : spec.systemProperties().entrySet()) {
            cmd.add("-D" + p.getKey() + "=" + p.getValue());
        }
        cmd.add("-cp");
        cmd.add(spec.classpath());
        cmd.add(spec.mainClass());
        cmd.addAll(spec.args());
        return cmd;
    }

    /** Starts the process and waits for its readiness line. Throws if it is already running. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name() + " is already running as pid " + process.pid());
        }
        try {
            launch();
            report(ProcessAction.START, true, "ready");
        } catch (IOException e) {
            report(ProcessAction.START, false, e.getMessage());
            throw e;
        }
    }

    private void launch() throws IOException {
        Files.createDirectories(spec.dir());
        long stdoutOffset = Files.exists(spec.stdout()) ? Files.size(spec.stdout()) : 0;
        ProcessBuilder pb = new ProcessBuilder(command())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(spec.stderr().toFile()));
        paused = false;
        process = pb.start();
        awaitReady(stdoutOffset);
    }

    private void awaitReady(long fromOffset) throws IOException {
        long deadline = System.nanoTime() + spec.readyTimeout().toNanos();
        while (true) {
            if (readyLineSince(fromOffset)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IOException(name() + " exited with code " + process.exitValue() + " before printing a line"
                        + " starting with '" + spec.readyLinePrefix() + "'; stderr " + spec.stderr() + " ends with: "
                        + stderrTail());
            }
            if (System.nanoTime() > deadline) {
                killAndWait();
                throw new IOException(name() + " printed no line starting with '" + spec.readyLinePrefix() + "' within "
                        + spec.readyTimeout().toMillis() + " ms (see " + spec.stdout() + "); killed pid " + process.pid());
            }
            sleep(READY_POLL_MS);
        }
    }

    private boolean readyLineSince(long offset) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(spec.stdout(), StandardOpenOption.READ)) {
            long size = ch.size();
            // Readiness is read only until it is found, so reading the new part in full is bounded by start-up output.
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, Math.max(0, size - offset)));
            ch.position(offset);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // keep reading
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end >= 0 && text.substring(0, end).lines().anyMatch(l -> l.startsWith(spec.readyLinePrefix()));
        }
    }

    private String stderrTail() {
        try {
            String s = Files.readString(spec.stderr());
            return s.substring(Math.max(0, s.length() - STDERR_TAIL_CHARS));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public synchronized void kill() throws IOException {
        if (process == null || !process.isAlive()) {
            report(ProcessAction.KILL, false, "not running");
            return;
        }
        int exit = killAndWait();
        report(ProcessAction.KILL, true, "SIGKILL, exit code " + exit);
    }

    private int killAndWait() throws IOException {
        process.destroyForcibly();
        try {
            if (!process.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new IOException(name() + " pid " + process.pid() + " still alive " + KILL_WAIT_MS + " ms after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + name() + " to die", e);
        }
        paused = false;
        return process.exitValue();
    }

    @Override
    public synchronized void pause() throws IOException {
        signal(ProcessAction.PAUSE, "-STOP");
        paused = true;
    }

    @Override
    public synchronized void resume() throws IOException {
        signal(ProcessAction.RESUME, "-CONT");
        paused = false;
    }

    private void signal(ProcessAction action, String flag) throws IOException {
        if (process == null || !process.isAlive()) {
            report(action, false, "not running");
            throw new IllegalStateException("cannot " + action.wireName() + " " + name() + ": not running");
        }
        Process kill = new ProcessBuilder("kill", flag, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        int code;
        try {
            if (!kill.waitFor(SIGNAL_COMMAND_WAIT_MS, TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new IOException("kill " + flag + " " + process.pid() + " did not finish in " + SIGNAL_COMMAND_WAIT_MS + " ms");
            }
            code = kill.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling " + name(), e);
        }
        if (code != 0) {
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            report(action, false, "kill " + flag + " exited " + code + ": " + out);
            throw new IOException("kill " + flag + " " + process.pid() + " exited with " + code + ": " + out);
        }
        report(action, true, "kill " + flag);
    }

    @Override
    public synchronized void restart() throws IOException {
        long oldPid = pid();
        String killed = process != null && process.isAlive() ? "killed pid " + oldPid + " (exit " + killAndWait() + "), " : "";
        try {
            launch();
            report(ProcessAction.RESTART, true, killed + "ready");
        } catch (IOException e) {
            report(ProcessAction.RESTART, false, killed + e.getMessage());
            throw e;
        }
    }

    @Override
    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** True between a successful pause and the next resume, kill or restart. */
    public synchronized boolean isPaused() {
        return paused && isAlive();
    }

    @Override
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    @Override
    public synchronized OptionalInt exitCode() {
        return process == null || process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Kills the child if it is still running, without reporting: this is cleanup, not a fault. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void report(ProcessAction action, boolean ok, String detail) {
        listener.onEvent(new ProcessEvent(name(), action, pid(), ok, detail));
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for readiness", e);
        }
    }
}
