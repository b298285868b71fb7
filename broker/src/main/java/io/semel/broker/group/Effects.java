package io.semel.broker.group;

import java.util.ArrayList;
import java.util.List;

/** Records and side effects gathered while one command runs. Not thread-safe; one per command. */
final class Effects {
    private final List<GroupRecord> records;
    private final List<DeadLetterRequest> deadLetters = new ArrayList<>();
    private boolean mustBeDurableFirst;

    Effects() {
        this(10);
    }

    /**
     * @param recordsExpected records the command will likely make (a poll: one per message, an
     *     ack: one per item), so a large batch does not regrow the list a dozen times
     */
    Effects(int recordsExpected) {
        records = new ArrayList<>(recordsExpected);
    }

    void record(GroupRecord record) {
        records.add(record);
        mustBeDurableFirst = true;
    }

    /**
     * A record the reply need not wait for: a first delivery below the partition's durable delivery
     * horizon, or a new horizon (see {@link GroupRecord.DeliveryHorizon}).
     */
    void recordAhead(GroupRecord record) {
        records.add(record);
    }

    /** True unless every record was {@link #recordAhead} and nothing is to be dead-lettered. */
    boolean mustBeDurableFirst() {
        return mustBeDurableFirst || !deadLetters.isEmpty();
    }

    void deadLetter(DeadLetterRequest request) {
        deadLetters.add(request);
    }

    List<GroupRecord> records() {
        return records;
    }

    List<DeadLetterRequest> deadLetters() {
        return deadLetters;
    }
}
