package io.semel.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A broker in its own JVM ({@link BrokerMain}), for tests that kill it or measure its heap. */
record BrokerChild(Process process, int port, Path out) {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    static BrokerChild start(Path data, Path out) throws IOException, InterruptedException {
        return start(data, out, "-Xmx256m");
    }

    static BrokerChild start(Path data, Path out, String... jvmOptions) throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classpath, BrokerMain.class.getName(), "--data-dir", data.toString(), "--port",
                "0"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String text = output(out);
            int at = text.indexOf(BrokerMain.LISTENING);
            int end = at < 0 ? -1 : text.indexOf('\n', at);
            if (end > 0) {
                String address = text.substring(at + BrokerMain.LISTENING.length(), end).trim();
                return new BrokerChild(p, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)), out);
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("broker child did not start; its output:\n" + text);
            }
            Thread.sleep(20);
        }
    }

    String output() throws IOException {
        return output(out);
    }

    private static String output(Path out) throws IOException {
        return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
    }

    /**
     * The child's live heap in bytes: a full collection ({@code jcmd GC.run}), then the "used" figure
     * of {@code jcmd GC.heap_info}. What is left after a full GC is what the broker still holds.
     */
    long liveHeapBytes() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new AssertionError("no 'used NK' in jcmd GC.heap_info output:\n" + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), command).redirectErrorStream(true).start();
        String text = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!j.waitFor(60, TimeUnit.SECONDS) || j.exitValue() != 0) {
            throw new AssertionError("jcmd " + command + " failed:\n" + text);
        }
        return text;
    }

    void stop() throws InterruptedException {
        process.destroy(); // SIGTERM: the shutdown hook closes the broker cleanly
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
