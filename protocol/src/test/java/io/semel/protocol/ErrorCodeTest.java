package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    /** Released numbers and retriability; a change here breaks every deployed client. */
    private static final Map<String, Object[]> PINNED = Map.ofEntries(
            Map.entry("NONE", new Object[] {0, false}),
            Map.entry("UNKNOWN_SERVER_ERROR", new Object[] {1, false}),
            Map.entry("CORRUPT_MESSAGE", new Object[] {2, false}),
            Map.entry("MESSAGE_TOO_LARGE", new Object[] {3, false}),
            Map.entry("OUT_OF_ORDER_SEQUENCE", new Object[] {4, false}),
            Map.entry("DUPLICATE_SEQUENCE", new Object[] {5, false}),
            Map.entry("PRODUCER_FENCED", new Object[] {6, false}),
            Map.entry("DEDUP_STATE_UNKNOWN", new Object[] {7, false}),
            Map.entry("UNKNOWN_TOPIC_OR_PARTITION", new Object[] {8, false}),
            Map.entry("STORAGE_ERROR", new Object[] {9, true}),
            Map.entry("NOT_ENOUGH_SPACE", new Object[] {10, true}),
            Map.entry("INVALID_REQUEST", new Object[] {11, false}),
            Map.entry("UNSUPPORTED_VERSION", new Object[] {12, false}),
            Map.entry("TIMEOUT", new Object[] {13, true}),
            Map.entry("UNKNOWN_PRODUCER", new Object[] {14, false}),
            Map.entry("TOO_MANY_PRODUCERS", new Object[] {15, true}),
            Map.entry("STALE_LEASE", new Object[] {16, false}),
            Map.entry("INVALID_TOPIC_NAME", new Object[] {17, false}),
            Map.entry("TOPIC_ALREADY_EXISTS", new Object[] {18, false}),
            Map.entry("AUTHENTICATION_FAILED", new Object[] {19, false}),
            Map.entry("UNKNOWN_GROUP_MEMBER", new Object[] {20, false}),
            Map.entry("BROKER_SHUTTING_DOWN", new Object[] {21, true}),
            Map.entry("OFFSET_OUT_OF_RANGE", new Object[] {22, false}),
            Map.entry("GROUP_NOT_EMPTY", new Object[] {40, false}),
            Map.entry("GROUP_NOT_FOUND", new Object[] {41, false}));

    @Test
    void everyExistingCodeKeepsItsNumberAndRetriability() {
        PINNED.forEach((name, pin) -> {
            ErrorCode code = ErrorCode.valueOf(name);
            assertThat((int) code.code()).as("%s number", name).isEqualTo(pin[0]);
            assertThat(code.retriable()).as("%s retriable", name).isEqualTo(pin[1]);
        });
    }

    @Test
    void newCodesTakeNewNumbers() {
        for (ErrorCode code : ErrorCode.values()) {
            if (!PINNED.containsKey(code.name())) {
                assertThat((int) code.code()).as("new code %s", code).isGreaterThan(22);
            }
        }
    }

    @Test
    void errorCodeNumbersAreUnique() {
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::code)).doesNotHaveDuplicates();
    }

    @Test
    void forCodeRoundTripsAndMapsUnknownNumbersToUnknownServerError() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.forCode(code.code())).isEqualTo(code);
        }
        assertThat(ErrorCode.forCode(-1)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        assertThat(ErrorCode.forCode(30_000)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
}
