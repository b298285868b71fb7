package io.semel.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.ProtocolException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class WireReaderTest {
    private static WireReader reader(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new WireReader(ByteBuffer.wrap(b));
    }

    private static ProtocolException failure(ThrowingRead read) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, read::run);
        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        return e;
    }

    interface ThrowingRead {
        void run() throws ProtocolException;
    }

    @Test
    void underflowIsAProtocolExceptionNamingTheBytes() {
        assertThat(failure(() -> reader(0, 0, 0).readInt32()).getMessage()).contains("need 4", "3 left");
        failure(() -> reader().readInt8());
        failure(() -> reader(0).readInt16());
        failure(() -> reader(0, 0, 0, 0, 0, 0, 0).readInt64());
    }

    @Test
    void stringsCheckLengthAndUtf8() throws Exception {
        assertThat(reader(0xff, 0xff).readNullableString()).isNull();
        assertThat(reader(0, 2, 'h', 'i').readNullableString()).isEqualTo("hi");
        assertThat(failure(() -> reader(0xff, 0xfe).readNullableString()).getMessage()).contains("-2");
        failure(() -> reader(0, 5, 'h', 'i').readNullableString());
        assertThat(failure(() -> reader(0, 2, 0xc3, 0x28).readNullableString()).getMessage()).contains("UTF-8");
        assertThat(failure(() -> reader(0xff, 0xff).readString("topic")).getMessage()).contains("topic");
    }

    /** ASCII takes a fast path; the rest the checked decoder, which is reused: both, in heap and direct buffers at an offset. */
    @Test
    void stringsRoundTripWhateverTheirBytesAndBuffer() throws Exception {
        String[] strings = {"orders", "größe", "", "日本語-topic", "x", "\u0000semel.snapshot", "ünïcödé again"};
        WireWriter w = new WireWriter().writeInt8(7);
        for (String s : strings) {
            w.writeString(s);
        }
        byte[] encoded = w.toByteBuffer().array();
        ByteBuffer direct = ByteBuffer.allocateDirect(encoded.length + 3).position(3);
        direct.put(encoded).position(3);
        ByteBuffer heapAtOffset = ByteBuffer.wrap(new byte[encoded.length + 5], 5, encoded.length).slice().put(encoded).flip();
        for (ByteBuffer b : new ByteBuffer[] {direct, heapAtOffset}) {
            WireReader r = new WireReader(b);
            assertThat(r.readInt8()).isEqualTo(7);
            for (String s : strings) {
                assertThat(r.readString("s")).isEqualTo(s);
            }
            r.expectEnd("strings");
        }
        // a malformed string after a good non-ASCII one still fails: the reused decoder was reset
        WireReader r = reader(0, 2, 0xc3, 0xa4, 0, 2, 0xc3, 0x28);
        assertThat(r.readNullableString()).isEqualTo("ä");
        assertThat(failure(r::readNullableString).getMessage()).contains("UTF-8");
    }

    /**
     * A repeated string is returned as the one already built (a poll's topic in every delivery), but only
     * when every byte matches: same-length strings that differ in one byte, at either end, are not confused.
     */
    @Test
    void aRepeatedStringIsReusedOnlyWhenEveryByteMatches() throws Exception {
        String[] strings = {"orders", "orders", "orderz", "zrders", "orders", "größe", "orders", "", "", "ord", "orders"};
        WireWriter w = new WireWriter();
        for (String s : strings) {
            w.writeString(s);
        }
        byte[] encoded = w.toByteBuffer().array();
        ByteBuffer direct = ByteBuffer.allocateDirect(encoded.length).put(encoded).flip();
        for (ByteBuffer b : new ByteBuffer[] {ByteBuffer.wrap(encoded), direct}) {
            WireReader r = new WireReader(b);
            String first = r.readString("s");
            assertThat(r.readString("s")).isEqualTo("orders").isSameAs(first);
            for (int i = 2; i < strings.length; i++) {
                assertThat(r.readString("s")).as("string %d", i).isEqualTo(strings[i]);
            }
            r.expectEnd("strings");
        }
    }

    @Test
    void noHeadersIsTheSharedEmptyList() throws Exception {
        assertThat(reader(0, 0, 0, 0).readHeaders()).isEmpty();
        assertThat(reader(0, 0, 0, 1, 0, 1, 'k', 0, 0, 0, 1, 7).readHeaders()).singleElement()
                .satisfies(h -> assertThat(h.key()).isEqualTo("k"));
    }

    @Test
    void bytesCheckLength() throws Exception {
        assertThat(reader(0xff, 0xff, 0xff, 0xff).readNullableBytes()).isNull();
        failure(() -> reader(0xff, 0xff, 0xff, 0xfe).readNullableBytes());
        failure(() -> reader(0x7f, 0xff, 0xff, 0xff).readNullableBytes());
    }

    @Test
    void countsCannotPromiseMoreThanTheBytesLeft() throws Exception {
        assertThat(reader(0, 0, 0, 1, 0, 0).readCount(2)).isEqualTo(1);
        assertThat(failure(() -> reader(0, 0, 0, 2, 0, 0).readCount(2)).getMessage()).contains("2 items");
        failure(() -> reader(0x7f, 0xff, 0xff, 0xff).readCount(1));
        failure(() -> reader(0x80, 0, 0, 0).readCount(1));
    }

    @Test
    void booleansAreStrictlyZeroOrOne() throws Exception {
        assertThat(reader(1).readBoolean()).isTrue();
        assertThat(reader(0).readBoolean()).isFalse();
        failure(() -> reader(2).readBoolean());
    }

    @Test
    void rangesNameTheField() {
        assertThat(failure(() -> reader(0xff, 0xff, 0xff, 0xff).readInt32("partition", 0, 9)).getMessage())
                .contains("partition -1", "0..9");
    }

    /** A size hint is a guess, never an allocation without bound: it is capped, and the writer still grows past it. */
    @Test
    void aWritersSizeHintIsCappedAndNeverALimit() {
        assertThat(WireWriter.reserving(8, Integer.MAX_VALUE).capacity()).isEqualTo(WireWriter.BYTES_HINT_MAX);
        assertThat(WireWriter.reserving(8, -5).capacity()).isEqualTo(64);
        WireWriter small = WireWriter.reserving(4, 10);
        small.writeNullableBytes(new byte[1_000]);
        assertThat(small.size()).isEqualTo(4 + 4 + 1_000);
    }

    @Test
    void aWriterIntoAGivenArrayWritesThereUntilItGrowsPastIt() {
        byte[] scratch = new byte[16];
        WireWriter w = WireWriter.into(scratch, 4).writeInt32(7);
        assertThat(w.array()).isSameAs(scratch);
        assertThat(w.wrapped().array()).isSameAs(scratch);
        assertThat(w.size()).isEqualTo(8);

        w.writeNullableBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThat(w.array()).isNotSameAs(scratch);
        assertThat(w.wrapped().getInt(4)).isEqualTo(7);
        assertThat(w.wrapped().getInt(8)).isEqualTo(9);
        assertThat(w.size()).isEqualTo(8 + 4 + 9);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WireWriter.into(new byte[4], 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved bytes 5");
    }

    @Test
    void writerRefusesWhatTheReaderWouldReject() {
        WireWriter w = new WireWriter();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.writeString("x".repeat(40_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("40000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.writeString(null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
