package io.semel.processor.store.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.processor.store.StoreLimits;
import org.junit.jupiter.api.Test;

/** Length limits count UTF-8 bytes, not characters (the checks skip encoding only where no string can be over). */
class ChecksTest {

    @Test
    void multiByteIdsAndNamesAreMeasuredInUtf8Bytes() {
        String twoByteChars = "é".repeat(StoreLimits.MESSAGE_ID_BYTES_MAX / 2 + 1); // 128 chars, 256 bytes
        assertThatThrownBy(() -> Checks.messageId(twoByteChars)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UTF-8 length is 256").hasMessageContaining("MESSAGE_ID_BYTES_MAX");
        assertThatThrownBy(() -> Checks.name("topic", "€".repeat(StoreLimits.NAME_BYTES_MAX / 3 + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NAME_BYTES_MAX");
        String fourByteCodePoints = "😀".repeat(StoreLimits.MESSAGE_ID_BYTES_MAX / 4 + 1); // 64 code points, 256 bytes
        assertThatThrownBy(() -> Checks.messageId(fourByteCodePoints)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MESSAGE_ID_BYTES_MAX");

        assertThatCode(() -> Checks.messageId("é".repeat(StoreLimits.MESSAGE_ID_BYTES_MAX / 2))).doesNotThrowAnyException();
        assertThatCode(() -> Checks.name("topic", "€".repeat(StoreLimits.NAME_BYTES_MAX / 3))).doesNotThrowAnyException();
        assertThatCode(() -> Checks.messageId("x".repeat(StoreLimits.MESSAGE_ID_BYTES_MAX))).doesNotThrowAnyException();
    }
}
