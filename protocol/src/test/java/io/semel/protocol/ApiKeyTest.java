package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
    /** Wire numbers are forever: this pin fails if one changes, so the change has to be deliberate. */
    private static final Map<ApiKey, Integer> PINNED = new LinkedHashMap<>();

    static {
        String[] names = {"HELLO", "METADATA", "CREATE_TOPIC", "LIST_TOPICS", "DESCRIBE_TOPIC", "INIT_PRODUCER",
            "PRODUCE", "FETCH", "JOIN_GROUP", "LEAVE_GROUP", "HEARTBEAT", "POLL", "ACK", "NACK"};
        for (int i = 0; i < names.length; i++) {
            PINNED.put(ApiKey.valueOf(names[i]), i);
        }
        // Ids need not be contiguous: each engineer's additions come from a pre-assigned range.
        PINNED.put(ApiKey.RELEASE_PRODUCER, 14);
        PINNED.put(ApiKey.LIST_PRODUCERS, 15);
        String[] admin = {"DELETE_TOPIC", "ADD_PARTITIONS", "LIST_GROUPS", "DESCRIBE_GROUP", "RESET_GROUP"};
        for (int i = 0; i < admin.length; i++) {
            PINNED.put(ApiKey.valueOf(admin[i]), 40 + i);
        }
        PINNED.put(ApiKey.AUTHENTICATE, 20);
    }

    @Test
    void everyApiKeyHasItsPinnedNumber() {
        assertThat(PINNED.keySet()).containsExactlyInAnyOrder(ApiKey.values());
        PINNED.forEach((key, id) -> assertThat((int) key.id()).as("%s", key).isEqualTo(id));
    }

    @Test
    void apiKeyNumbersAreUnique() {
        assertThat(Arrays.stream(ApiKey.values()).map(ApiKey::id)).doesNotHaveDuplicates();
    }

    @Test
    void forIdFindsEveryKeyAndRejectsUnknownNumbers() throws Exception {
        for (ApiKey key : ApiKey.values()) {
            assertThat(ApiKey.forId(key.id())).isEqualTo(key);
        }
        // Ids are assigned in ranges, so the unknown ones are far from the known ones.
        for (int unknown : new int[] {-1, 999, 12_345, Short.MAX_VALUE}) {
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> ApiKey.forId(unknown));
            assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.getMessage()).contains(String.valueOf(unknown)).contains("14, 15").contains("40");
        }
    }

    @Test
    void everyApiSupportsVersionOneOnlyAckAndPollAlsoTwoAndOnlyPollThreeAndFour() {
        for (ApiKey key : ApiKey.values()) {
            assertThat(key.supports(1)).isTrue();
            assertThat(key.supports(0)).isFalse();
            assertThat(key.supports(2)).as("%s v2", key).isEqualTo(key == ApiKey.ACK || key == ApiKey.POLL);
            assertThat(key.supports(3)).as("%s v3", key).isEqualTo(key == ApiKey.POLL);
            assertThat(key.supports(4)).as("%s v4", key).isEqualTo(key == ApiKey.POLL);
            assertThat(key.supports(5)).isFalse();
        }
    }
}
