package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicNamesTest {
    @Test
    void acceptsNamesMadeOfTheAllowedCharacters() {
        for (String name : new String[] {"a", "orders", "Orders.v2", "orders_dlq-1", "...", ".hidden", "x".repeat(249)}) {
            assertThat(TopicNames.problem(name)).as(name).isEmpty();
            assertThat(TopicNames.isValid(name)).isTrue();
        }
    }

    @Test
    void rejectsEmptyAndNull() {
        assertThat(TopicNames.problem("")).get().asString().contains("empty");
        assertThat(TopicNames.problem(null)).get().asString().contains("empty");
    }

    @Test
    void rejectsNamesAboveTheLengthLimitWithTheNumbers() {
        assertThat(TopicNames.problem("x".repeat(250))).get().asString().contains("250", "249");
    }

    @Test
    void rejectsDotAndDotDot() {
        assertThat(TopicNames.problem(".")).get().asString().contains("reserved");
        assertThat(TopicNames.problem("..")).get().asString().contains("reserved");
    }

    @Test
    void rejectsIllegalCharactersNamingCharacterAndIndex() {
        assertThat(TopicNames.problem("a/b")).get().asString().contains("'/'", "index 1");
        assertThat(TopicNames.problem("a b")).get().asString().contains("' '");
        assertThat(TopicNames.problem("tab\t")).get().asString().contains("\\u0009", "index 3");
        assertThat(TopicNames.problem("ordérs")).get().asString().contains("\\u00e9");
        assertThat(TopicNames.problem("a:b")).isPresent();
    }
}
