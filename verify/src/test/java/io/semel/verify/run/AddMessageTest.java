package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AddMessageTest {
    @Test
    void valueRoundTripsIdAccountAndAmount() {
        AddMessage m = new AddMessage("p2-000123", "a07", 42);
        assertThat(new String(m.encodeValue(), StandardCharsets.UTF_8)).isEqualTo("p2-000123|a07|42");
        assertThat(AddMessage.decodeValue(m.encodeValue())).isEqualTo(m);
        assertThat(new String(m.encodeKey(), StandardCharsets.UTF_8)).isEqualTo("a07");
    }

    @Test
    void negativeAmountsRoundTrip() {
        AddMessage m = new AddMessage("x", "k", -5);
        assertThat(AddMessage.decodeValue(m.encodeValue())).isEqualTo(m);
    }

    @Test
    void malformedValuesAreRefusedWithTheText() {
        for (String bad : new String[] {"", "id|acct", "id|acct|1|2", "|acct|1", "id||1", "id|acct|x"}) {
            assertThatThrownBy(() -> AddMessage.decodeValue(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("verify message");
        }
    }

    @Test
    void separatorInAFieldIsRefused() {
        assertThatThrownBy(() -> new AddMessage("a|b", "k", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AddMessage("a", "", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
