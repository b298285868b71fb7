package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The settings table of docs/broker.md is generated from {@link BrokerConfig#DEF}; this test fails
 * when the two disagree. To regenerate the table after changing a setting:
 * {@code mvn -B -q -pl broker -am verify -Dtest=BrokerSettingsDocTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsemel.docs.update=true}.
 */
class BrokerSettingsDocTest {
    static final String BEGIN = "<!-- settings table: generated from BrokerConfig.DEF by BrokerSettingsDocTest -->\n";
    static final String END = "<!-- end of settings table -->";

    @Test
    void docsTableIsTheOneGeneratedFromTheDefinitions() throws Exception {
        Path doc = Path.of("..", "docs", "broker.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("docs/broker.md must contain the marker " + BEGIN.strip()).isNotNegative();
        assertThat(end).as("docs/broker.md must contain the marker " + END).isGreaterThan(begin);
        String current = text.substring(begin + BEGIN.length(), end);
        String generated = BrokerConfig.DEF.markdownTable();
        if (Boolean.getBoolean("semel.docs.update") && !current.equals(generated)) {
            Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + generated + text.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(current).as("docs/broker.md settings table is out of date; regenerate it with -Dsemel.docs.update=true"
                + " (see this test's Javadoc)").isEqualTo(generated);
    }
}
