package io.semel.verify.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A power failure of a killed process's disk: every file under a data directory is cut back to a seeded
 * point between its last forced length and what was written, which tears the last unforced write at a random
 * byte (or drops it, or keeps it: all three happen to real disks). The forced lengths are the records the
 * broker's {@code FileStorage} keeps in verify mode ({@code io.semel.log.internal.ForcedLengths}: one file per
 * data file, named by the SHA-1 of its absolute path, holding the length and the path on two lines); a data
 * file with no record was never forced and may lose everything.
 *
 * <p>Call it only while the process is dead (after SIGKILL), before the restart. After the cut each record is
 * set to the cut length: what survived a power cut is on the disk. Stateless; thread-safe.
 */
public final class PowerCut {
    /** What happened to one file: {@code cutTo} is in [min(forced, written), written]. */
    public record Cut(Path file, long written, long forced, long cutTo) {
        public long bytesLost() {
            return written - cutTo;
        }
    }

    private PowerCut() {
    }

    /** Cuts every regular file under {@code dataDir}; {@code random} picks the points. */
    public static List<Cut> apply(Path dataDir, Path recordsDir, Random random) throws IOException {
        Map<Path, Long> forced = readRecords(recordsDir);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dataDir)) {
            files = walk.filter(Files::isRegularFile).map(p -> p.toAbsolutePath().normalize()).sorted().toList();
        }
        List<Cut> cuts = new ArrayList<>();
        for (Path f : files) {
            long written = Files.size(f);
            long durable = Math.min(forced.getOrDefault(f, 0L), written);
            long cutTo = durable + (written > durable ? random.nextLong(written - durable + 1) : 0);
            if (cutTo < written) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.truncate(cutTo);
                    ch.force(false);
                }
            }
            if (forced.containsKey(f) || cutTo > 0) {
                writeRecord(recordsDir, f, cutTo);
            }
            cuts.add(new Cut(f, written, durable, cutTo));
        }
        return cuts;
    }

    private static Map<Path, Long> readRecords(Path recordsDir) throws IOException {
        Map<Path, Long> out = new HashMap<>();
        if (!Files.isDirectory(recordsDir)) {
            return out;
        }
        try (Stream<Path> list = Files.list(recordsDir)) {
            for (Path r : list.filter(p -> !p.getFileName().toString().contains(".tmp")).toList()) {
                List<String> lines = Files.readAllLines(r, StandardCharsets.UTF_8);
                if (lines.size() < 2) {
                    throw new IOException("forced-length record " + r + " has " + lines.size() + " lines, expected 2");
                }
                out.put(Path.of(lines.get(1)), Long.parseLong(lines.get(0)));
            }
        }
        return out;
    }

    private static void writeRecord(Path recordsDir, Path file, long length) throws IOException {
        Files.createDirectories(recordsDir);
        String key = key(file);
        Path tmp = recordsDir.resolve(key + ".tmp-harness");
        Files.writeString(tmp, length + "\n" + file + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, recordsDir.resolve(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The record name of a data file: the hex SHA-1 of its absolute path (the log module's rule). */
    static String key(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(file.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }
}
