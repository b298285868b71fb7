package io.semel.broker.group;

import java.util.ArrayList;
import java.util.List;

/** Records and side effects gathered while one command runs. Not thread-safe; one per command. */
final class Effects {
    private final List<GroupRecord> records = new ArrayList<>();
    private final List<DeadLetterRequest> deadLetters = new ArrayList<>();

    void record(GroupRecord record) {
        records.add(record);
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
