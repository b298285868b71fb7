package io.semel.broker.group;

import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** In-memory {@link LogView}: dense offsets from 0, values "p<partition>-<offset>". */
final class TestLog implements LogView {
    private final List<List<Message>> partitions = new ArrayList<>();

    TestLog(int partitionCount) {
        for (int p = 0; p < partitionCount; p++) {
            partitions.add(new ArrayList<>());
        }
    }

    TestLog append(int partition, int count) {
        List<Message> log = partitions.get(partition);
        for (int i = 0; i < count; i++) {
            long offset = log.size();
            byte[] value = ("p" + partition + "-" + offset).getBytes(StandardCharsets.UTF_8);
            log.add(new Message(offset, 1_000 + offset, ("k" + offset).getBytes(StandardCharsets.UTF_8), value,
                    List.of(Header.of("origin", "test"))));
        }
        return this;
    }

    TestLog appendAll(int count) {
        for (int p = 0; p < partitions.size(); p++) {
            append(p, count);
        }
        return this;
    }

    @Override
    public long logEndOffset(int partition) {
        return partitions.get(partition).size();
    }

    @Override
    public List<Message> read(int partition, long fromOffset, int maxMessages) {
        List<Message> log = partitions.get(partition);
        int from = (int) Math.min(fromOffset, log.size());
        int to = (int) Math.min((long) from + maxMessages, log.size());
        return List.copyOf(log.subList(from, to));
    }
}
