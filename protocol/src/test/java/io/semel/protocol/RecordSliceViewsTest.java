package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Views of records, no copy: {@link RecordBatch#records(int, int)} (a run cut from a stored batch),
 * {@link RecordSlice#record} (one record of many) and {@link RecordSlice#split} (each record).
 */
class RecordSliceViewsTest {
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

    /** {@code r} encoded on its own: equal by content to any view of that record. */
    private static RecordSlice one(LogRecord r) {
        return RecordSlice.of(List.of(r));
    }

    /** A batch's records cut straight from its bytes are the records themselves, for every range. */
    @Test
    void aBatchsRecordsFromToAreTheSliceOfThoseRecordsOverItsOwnBytes() {
        List<LogRecord> records = records(7);
        RecordBatch batch = RecordBatch.of(5L, records);
        for (int from = 0; from < records.size(); from++) {
            for (int to = from + 1; to <= records.size(); to++) {
                RecordSlice cut = batch.records(from, to);
                RecordSlice expected = RecordSlice.of(records.subList(from, to));
                assertThat(cut).as("[%d, %d)", from, to).isEqualTo(expected).hasSameHashCodeAs(expected);
                assertThat(cut.count()).isEqualTo(to - from);
                assertThat(cut.sizeInBytes()).isEqualTo(expected.sizeInBytes());
                assertThat(cut.records()).isEqualTo(records.subList(from, to));
                if (to < records.size()) {
                    assertThat(cut.adjoins(batch.records(to, to + 1))).as("a view of the batch's own bytes").isTrue();
                }
            }
        }
        assertThat(batch.records(0, 3).adjoins(batch.records(0, 1))).isFalse();
        // Equal bytes in another array do not adjoin: a view cannot span two arrays.
        RecordBatch same = RecordBatch.of(5L, records);
        assertThat(batch.records(0, 2).adjoins(same.records(2, 3))).isFalse();
        assertThatThrownBy(() -> batch.records(2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> batch.records(-1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> batch.records(3, 8)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void recordOfAMultiRecordSliceIsThatRecordsOwnSlice() {
        List<LogRecord> records = records(6);
        RecordBatch batch = RecordBatch.of(5L, records);
        RecordSlice whole = batch.records(0, records.size());
        RecordSlice encodedHere = RecordSlice.of(records);
        for (int i = 0; i < records.size(); i++) {
            RecordSlice one = whole.record(i);
            assertThat(one).as("record %d", i).isEqualTo(one(records.get(i)));
            assertThat(one.count()).isEqualTo(1);
            assertThat(one.records()).containsExactly(records.get(i));
            assertThat(encodedHere.record(i)).isEqualTo(one(records.get(i)));
        }
        RecordSlice middle = batch.records(2, 5);
        assertThat(middle.record(0)).as("indexes count from the slice's first record").isEqualTo(one(records.get(2)));
        assertThat(middle.record(2)).isEqualTo(one(records.get(4)));
        assertThat(whole.record(3).adjoins(whole.record(4))).as("views of the same bytes").isTrue();
        RecordSlice single = batch.records(1, 2);
        assertThat(single.record(0)).isSameAs(single);
        assertThatThrownBy(() -> whole.record(6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> whole.record(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> single.record(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void splitGivesEachRecordItsOwnSliceInOrder() {
        List<LogRecord> records = records(6);
        RecordBatch batch = RecordBatch.of(5L, records);
        RecordSlice[] each = records.stream().map(RecordSliceViewsTest::one).toArray(RecordSlice[]::new);
        RecordSlice[] split = batch.records(0, records.size()).split();
        assertThat(split).containsExactly(each);
        for (int i = 0; i + 1 < split.length; i++) {
            assertThat(split[i].adjoins(split[i + 1])).as("views of the batch's bytes").isTrue();
        }
        assertThat(batch.records(2, 5).split()).containsExactly(each[2], each[3], each[4]);
        assertThat(RecordSlice.of(records).split()).containsExactly(each);
        RecordSlice single = batch.records(3, 4);
        assertThat(single.split()).containsExactly(single);
    }
}
