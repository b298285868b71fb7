package io.semel.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Forces every file under a directory to disk, so that a read benchmark run next does not share the disk and the
 * CPUs with the kernel writing back what the prefill left dirty in the page cache. Without it a Kafka node with its
 * default durability left 450-900 MB dirty after its prefill, and the kernel wrote it back (30 s after it was
 * written) in the middle of the timed read that followed; a Semel or Kafka node that forces every append leaves
 * nothing to write back, so the step costs them nothing. Forcing a file opened for reading writes back its dirty
 * pages on Linux like any {@code fsync}.
 */
final class WriteBack {
    /** Most files forced in one call: a benchmark's data dir holds a few dozen. */
    static final int FILES_MAX = 100_000;

    /** What one call forced. */
    record Result(int files, long bytes, long millis) {
        /** For setup lines: {@code 23 files (1,412 MB) forced in 2,310 ms}. */
        String summary() {
            return String.format("%d files (%,d MB) forced in %,d ms", files, bytes >> 20, millis);
        }
    }

    private WriteBack() {
    }

    /** Forces each regular file under {@code dir}; files deleted meanwhile (a rolled index) are skipped. */
    static Result settle(Path dir) throws IOException {
        return settle(dir, FILES_MAX);
    }

    static Result settle(Path dir, int filesMax) throws IOException {
        long t0 = System.nanoTime();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).limit(filesMax + 1L).toList();
        }
        if (files.size() > filesMax) {
            throw new IOException(dir + " holds more than " + filesMax + " files: not a benchmark's data dir");
        }
        Result forced = force(files);
        return new Result(forced.files(), forced.bytes(), (System.nanoTime() - t0) / 1_000_000); // the walk's time too
    }

    /** Forces each of {@code files}; one deleted meanwhile (a rolled index) is skipped and not counted. */
    static Result force(List<Path> files) throws IOException {
        long t0 = System.nanoTime();
        int forced = 0;
        long bytes = 0;
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                bytes += ch.size();
                ch.force(true);
                forced++;
            } catch (NoSuchFileException gone) {
                // Deleted by its owner between the walk and the open: nothing of it is left to write back.
            }
        }
        return new Result(forced, bytes, (System.nanoTime() - t0) / 1_000_000);
    }
}
