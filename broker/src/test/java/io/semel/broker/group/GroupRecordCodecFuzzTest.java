package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the consumer-group log's record format: {@link GroupRecordCodec#decode}
 * and {@link GroupState#replay} may only throw {@link CorruptGroupRecordException} for any input.
 * A record that decodes is canonical (it re-encodes to the same bytes), and a group that replays
 * can be snapshotted and replayed again to the same durable state.
 *
 * <p>Inputs: one record's bytes for {@link #decodeAcceptsOrThrowsCorruptGroupRecord}; for
 * {@link #replayAcceptsOrThrowsCorruptGroupRecord}, a sequence of records, each prefixed by one
 * length byte. Regression mode replays {@code GroupRecordCodecFuzzTestInputs/}; see docs/fuzzing.md.
 */
class GroupRecordCodecFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void decodeAcceptsOrThrowsCorruptGroupRecord(byte[] input) {
        GroupRecord record;
        try {
            record = GroupRecordCodec.decode(input);
        } catch (CorruptGroupRecordException e) {
            return;
        }
        assertThat(GroupRecordCodec.encode(record)).as("%s re-encoded", record).isEqualTo(input);
    }

    @FuzzTest(maxDuration = "20s")
    void replayAcceptsOrThrowsCorruptGroupRecord(byte[] input) {
        List<GroupRecord> records = new ArrayList<>();
        try {
            for (byte[] bytes : lengthPrefixed(input)) {
                records.add(GroupRecordCodec.decode(bytes));
            }
            GroupState replayed = GroupState.replay(GroupConfig.defaults(), records, (t, p) -> 0);
            GroupState again = GroupState.replay(GroupConfig.defaults(), replayed.snapshotRecords(), (t, p) -> 0);
            assertThat(again.snapshotRecords()).as("snapshot of the replayed snapshot")
                    .isEqualTo(replayed.snapshotRecords());
        } catch (CorruptGroupRecordException e) {
            // the only answer to a bad log
        }
    }

    /** Splits {@code input} into chunks of one length byte (0..255) and that many bytes (fewer at the end). */
    static List<byte[]> lengthPrefixed(byte[] input) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < input.length) {
            int length = input[i] & 0xFF;
            int end = Math.min(input.length, i + 1 + length);
            out.add(Arrays.copyOfRange(input, i + 1, end));
            i = end;
        }
        return out;
    }
}
