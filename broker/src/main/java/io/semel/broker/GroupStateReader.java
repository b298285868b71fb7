package io.semel.broker;

import io.semel.broker.group.CorruptGroupRecordException;
import io.semel.broker.group.GroupConfig;
import io.semel.broker.group.GroupRegistry;
import io.semel.broker.internal.GroupJournalReader;
import io.semel.broker.internal.TopicManager;
import io.semel.log.LogInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Read-only view of a broker data directory's consumer groups, for {@code semel inspect}: replays
 * the group log from its newest snapshot without opening it for writing, so it is safe on a
 * running broker's directory (it then shows the state as of the last durable record it reads).
 * Stateless and thread-safe.
 */
public final class GroupStateReader {
    private GroupStateReader() {
    }

    /**
     * One past the last offset of the readable batches on disk (what the broker would recover), or 0
     * when the partition cannot be read: then no delivery horizon is assumed for it.
     */
    private static long endOnDisk(Path partitionDir) {
        try {
            long end = 0;
            for (LogInspector.SegmentReport s : LogInspector.inspect(partitionDir).segments()) {
                if (s.records() > 0) {
                    end = Math.max(end, s.lastOffset() + 1);
                }
            }
            return end;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The groups as the broker would rebuild them; an empty registry when there is no group log. */
    public static GroupRegistry read(Path dataDir, GroupConfig config) throws IOException {
        Path dir = dataDir.resolve(GroupJournalReader.DIR);
        if (!Files.isDirectory(dir)) {
            return new GroupRegistry(config);
        }
        try {
            // Each partition is scanned once, however many groups read its topic.
            Map<String, Long> ends = new HashMap<>();
            return GroupRegistry.replay(config, GroupJournalReader.records(LogInspector.batches(dir)),
                    (topic, partition) -> ends.computeIfAbsent(topic + "/" + partition, k -> endOnDisk(
                            dataDir.resolve(TopicManager.TOPICS_DIR).resolve(topic).resolve(Integer.toString(partition)))));
        } catch (CorruptGroupRecordException e) {
            throw new IOException("group log " + dir + " does not replay: " + e.getMessage(), e);
        }
    }
}
