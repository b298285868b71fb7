package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RecordSlice#joined} (one view over adjoining parts) and {@link RecordSlice#record} (one record of many). */
class RecordSliceJoinedTest {
    /** Records of different sizes, some with headers and null keys, so offsets into the bytes differ. */
    private static List<LogRecord> records(int count) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] value = Batches.utf8("value-" + "x".repeat(i % 5) + i);
            out.add(i % 3 == 0 ? LogRecord.of(null, value)
                    : new LogRecord(Batches.utf8("k" + i), value, List.of(Header.of("h" + i, "v" + i))));
        }
        return out;
    }

    @Test
    void joinedOverABatchsSlicesEqualsTheSliceOfThoseRecords() {
        List<LogRecord> records = records(7);
        RecordSlice[] parts = RecordBatch.of(5L, records).recordSlices();
        for (int from = 0; from < parts.length; from++) {
            for (int to = from + 1; to <= parts.length; to++) {
                RecordSlice joined = RecordSlice.joined(parts, from, to);
                RecordSlice expected = RecordSlice.of(records.subList(from, to));
                assertThat(joined).as("[%d, %d)", from, to).isEqualTo(expected).hasSameHashCodeAs(expected);
                assertThat(joined.count()).isEqualTo(to - from);
                assertThat(joined.sizeInBytes()).isEqualTo(expected.sizeInBytes());
                assertThat(joined.records()).isEqualTo(records.subList(from, to));
            }
        }
        assertThat(RecordSlice.joined(parts, 2, 3)).as("one part is the part itself").isSameAs(parts[2]);
        RecordSlice all = RecordSlice.joined(parts, 0, parts.length);
        assertThat(all.adjoins(parts[0])).isFalse();
        assertThat(RecordSlice.joined(parts, 0, 3).adjoins(parts[3])).as("a view: it ends where part 3 starts")
                .isTrue();
    }

    /** A batch's records cut straight from its bytes are the records themselves, for every range. */
    @Test
    void aBatchsRecordsFromToAreTheSliceOfThoseRecordsOverItsOwnBytes() {
        List<LogRecord> records = records(7);
        RecordBatch batch = RecordBatch.of(5L, records);
        RecordSlice[] parts = batch.recordSlices();
        for (int from = 0; from < records.size(); from++) {
            for (int to = from + 1; to <= records.size(); to++) {
                RecordSlice cut = batch.records(from, to);
                assertThat(cut).as("[%d, %d)", from, to).isEqualTo(RecordSlice.of(records.subList(from, to)));
                assertThat(cut.records()).isEqualTo(records.subList(from, to));
                assertThat(cut).as("the same view as the joined parts").isEqualTo(RecordSlice.joined(parts, from, to));
                if (to < records.size()) {
                    assertThat(cut.adjoins(parts[to])).as("a view of the batch's own bytes").isTrue();
                }
            }
        }
        assertThatThrownBy(() -> batch.records(2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> batch.records(-1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> batch.records(3, 8)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void joinedRefusesEmptyRangesAndPartsThatDoNotAdjoin() {
        RecordSlice[] parts = RecordBatch.of(5L, records(4)).recordSlices();
        assertThatThrownBy(() -> RecordSlice.joined(parts, 2, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordSlice.joined(parts, 3, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> RecordSlice.joined(parts, -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);

        RecordSlice[] gap = {parts[0], parts[2]};
        assertThatThrownBy(() -> RecordSlice.joined(gap, 0, 2)).isInstanceOf(IllegalArgumentException.class);
        RecordSlice[] swapped = {parts[1], parts[0]};
        assertThatThrownBy(() -> RecordSlice.joined(swapped, 0, 2)).isInstanceOf(IllegalArgumentException.class);
        // Equal bytes in another array do not adjoin: a view cannot span two arrays.
        RecordSlice[] otherBatch = RecordBatch.of(5L, records(4)).recordSlices();
        RecordSlice[] mixed = {parts[0], otherBatch[1]};
        assertThatThrownBy(() -> RecordSlice.joined(mixed, 0, 2)).isInstanceOf(IllegalArgumentException.class);
        RecordSlice[] laterBreak = {parts[0], parts[1], parts[3]};
        assertThatThrownBy(() -> RecordSlice.joined(laterBreak, 0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(RecordSlice.joined(laterBreak, 0, 2)).isEqualTo(RecordSlice.joined(parts, 0, 2));
    }

    @Test
    void recordOfAMultiRecordSliceIsThatRecordsOwnSlice() {
        List<LogRecord> records = records(6);
        RecordSlice[] parts = RecordBatch.of(5L, records).recordSlices();
        RecordSlice whole = RecordSlice.joined(parts, 0, parts.length);
        RecordSlice encodedHere = RecordSlice.of(records);
        for (int i = 0; i < records.size(); i++) {
            RecordSlice one = whole.record(i);
            assertThat(one).as("record %d", i).isEqualTo(parts[i]);
            assertThat(one.count()).isEqualTo(1);
            assertThat(one.records()).containsExactly(records.get(i));
            assertThat(encodedHere.record(i)).isEqualTo(parts[i]);
        }
        RecordSlice middle = RecordSlice.joined(parts, 2, 5);
        assertThat(middle.record(0)).as("indexes count from the slice's first record").isEqualTo(parts[2]);
        assertThat(middle.record(2)).isEqualTo(parts[4]);
        assertThat(whole.record(3).adjoins(whole.record(4))).as("views of the same bytes").isTrue();
        assertThat(parts[1].record(0)).isSameAs(parts[1]);
        assertThatThrownBy(() -> whole.record(6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> whole.record(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> parts[0].record(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void splitGivesEachRecordItsOwnSliceInOrder() {
        List<LogRecord> records = records(6);
        RecordSlice[] parts = RecordBatch.of(5L, records).recordSlices();
        assertThat(RecordSlice.joined(parts, 0, parts.length).split()).containsExactly(parts);
        assertThat(RecordSlice.joined(parts, 2, 5).split()).containsExactly(parts[2], parts[3], parts[4]);
        assertThat(RecordSlice.of(records).split()).containsExactly(parts);
        assertThat(parts[3].split()).containsExactly(parts[3]);
    }
}
