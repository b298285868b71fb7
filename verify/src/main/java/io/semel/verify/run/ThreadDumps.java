package io.semel.verify.run;

import io.semel.verify.process.ChildProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Thread dumps of live child JVMs ({@code jcmd PID Thread.print}), written into the run directory as
 * {@code threads-<name>.txt}. Taken when the final phase finds logged messages that are never applied, before the
 * processes are stopped: the one moment that shows where a stalled broker or processor waits.
 */
final class ThreadDumps {
    /** Longest wait for one dump: a dump of a live JVM takes well under a second; a stopped one never answers. */
    static final long DUMP_TIMEOUT_MS = 20_000;

    private ThreadDumps() {
    }

    /** One file per live, not paused process; failures are logged, never thrown (the run goes on). */
    static void write(Path runDir, List<ChildProcess> processes, PrintWriter log) {
        for (ChildProcess p : processes) {
            if (p == null || !p.isAlive() || p.isPaused()) {
                continue;
            }
            Path out = runDir.resolve("threads-" + p.name() + ".txt").toAbsolutePath();
            try {
                Process jcmd = new ProcessBuilder(jcmd(), Long.toString(p.pid()), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!jcmd.waitFor(DUMP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    jcmd.destroyForcibly();
                    VerifyRun.logLine(log, "thread dump of " + p.name() + " timed out after " + DUMP_TIMEOUT_MS + " ms");
                } else if (jcmd.exitValue() != 0) {
                    // jcmd writes its own error (a VM that refuses the attach, a pid gone meanwhile) into the file.
                    VerifyRun.logLine(log, "thread dump of " + p.name() + " failed (jcmd exit " + jcmd.exitValue()
                            + "): see " + out);
                } else {
                    VerifyRun.logLine(log, "thread dump of " + p.name() + " (pid " + p.pid() + "): " + out);
                }
            } catch (IOException e) {
                VerifyRun.logLine(log, "thread dump of " + p.name() + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The jcmd of the JDK running the harness (children run on the same one). */
    private static String jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }
}
