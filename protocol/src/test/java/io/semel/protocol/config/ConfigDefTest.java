package io.semel.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefTest {
    static final Setting<Integer> SIZE = Setting.bytesInt("sizeBytes", 4096, "a size").range(1, 1 << 20);
    static final Setting<Integer> PART = Setting.bytesInt("partBytes", 1024, "a part of the size").range(1, 1 << 20);
    static final Setting<Long> WAIT = Setting.millis("waitMs", 10_000, "a wait").unlimited();
    static final Setting<String> MODE = Setting.string("mode", "text", "output").choices("text", "json");
    static final Setting<String> SECRET = Setting.string("secret", null, "a password").secret();
    static final Setting<String> NAME = Setting.string("name", null, "what it is called").required().flag("--name");
    static final ConfigDef INNER = ConfigDef.of("inner", SIZE, PART)
            .rule(ConfigDef.Rule.atMost(PART, SIZE, 0, "a part fits the whole"));
    static final ConfigDef DEF = ConfigDef.of("thing", NAME, WAIT, MODE, SECRET).include(INNER);

    @Test
    void parsesUnitsAndFallsBackToDefaults() {
        ConfigValues v = DEF.parse(Map.of("name", " x ", "sizeBytes", "64 KiB", "waitMs", "2min", "mode", "JSON"));
        assertThat(v.get(NAME)).isEqualTo("x");
        assertThat(v.get(SIZE)).isEqualTo(64 * 1024);
        assertThat(v.get(PART)).isEqualTo(1024);
        assertThat(v.get(WAIT)).isEqualTo(120_000);
        assertThat(v.get(MODE)).isEqualTo("json");
        assertThat(DEF.parse(Map.of("name", "x", "waitMs", "-1")).get(WAIT)).isEqualTo(-1);
        assertThat(DEF.parse(Map.of("name", "x", "waitMs", "3d")).get(WAIT)).isEqualTo(3L * 86_400_000);
        assertThat(DEF.parse(Map.of("name", "x", "waitMs", "250ms")).get(WAIT)).isEqualTo(250);
        assertThat(DEF.parse(Map.of("name", "x", "waitMs", "5s")).get(WAIT)).isEqualTo(5_000);
    }

    @Test
    void everyErrorNamesTheSettingAndWhatIsAllowed() {
        assertThatThrownBy(() -> DEF.parse(Map.of())).hasMessage("name is required: what it is called");
        assertThatThrownBy(() -> DEF.parse(Map.of("name", "x", "sizeByte", "1")))
                .hasMessageStartingWith("unknown thing setting(s) [sizeByte]; known keys are [mode, name,");
        assertThatThrownBy(() -> DEF.parse(Map.of("name", "x", "sizeBytes", "2MiB")))
                .hasMessage("sizeBytes is 2097152; allowed 1..1048576");
        assertThatThrownBy(() -> DEF.parse(Map.of("name", "x", "sizeBytes", "lots")))
                .hasMessageContaining("sizeBytes is \"lots\", not a number (a size may end in KiB, MiB or GiB)");
        assertThatThrownBy(() -> DEF.parse(Map.of("name", "x", "partBytes", "8KiB")))
                .hasMessage("partBytes is 8192; it must be at most sizeBytes (4096): a part fits the whole");
        assertThatThrownBy(() -> DEF.parse(Map.of("name", "x", "waitMs", "-2")))
                .hasMessage("waitMs is -2; allowed 0..9223372036854775807 or -1 for unlimited");
        assertThatThrownBy(() -> DEF.parse(Map.of("name", "x", "mode", "xml")))
                .hasMessage("mode is \"xml\"; use one of [text, json]");
        assertThatThrownBy(() -> DEF.parse(Map.of("name", "x", "waitMs", "9223372036854775807d")))
                .hasMessageContaining("waitMs is 9223372036854775807d, which overflows");
    }

    @Test
    void aRuleWithSlackAllowsExactlyTheHighValueMinusTheSlack() {
        Setting<Integer> frame = Setting.bytesInt("frameBytes", 8192, "a frame").range(1, 1 << 20);
        Setting<Integer> batch = Setting.bytesInt("batchBytes", 4096, "a batch").range(1, 1 << 20);
        ConfigDef def = ConfigDef.of("framing", frame, batch)
                .rule(ConfigDef.Rule.atMost(batch, frame, 1024, "a batch fits a frame with its header"));
        assertThat(def.parse(Map.of("batchBytes", "7168")).get(batch)).isEqualTo(7168);
        assertThatThrownBy(() -> def.parse(Map.of("batchBytes", "7169"))).hasMessage(
                "batchBytes is 7169; it must be at most frameBytes − 1 KiB (7168): a batch fits a frame with its header");
        assertThat(def.markdownTable()).contains("| 1 B .. 1 MiB; ≤ frameBytes − 1 KiB |");
    }

    @Test
    void rangeEdgesBlankTextBooleansAndIntOverflowAreRefusedNamingTheSetting() {
        Setting<Boolean> on = Setting.bool("enabled", false, "on or off");
        ConfigDef def = ConfigDef.of("edges", NAME, on).include(INNER);
        assertThat(def.parse(Map.of("name", "x", "sizeBytes", "1", "partBytes", "1")).get(SIZE)).isEqualTo(1);
        assertThatThrownBy(() -> def.parse(Map.of("name", "x", "sizeBytes", "0")))
                .hasMessage("sizeBytes is 0; allowed 1..1048576");
        assertThat(def.parse(Map.of("name", "x", "sizeBytes", "1MiB")).get(SIZE)).isEqualTo(1 << 20);
        assertThatThrownBy(() -> def.parse(Map.of("name", "  "))).hasMessage("name is empty; what it is called");
        assertThat(def.parse(Map.of("name", "x", "enabled", " TRUE ")).get(on)).isTrue();
        assertThatThrownBy(() -> def.parse(Map.of("name", "x", "enabled", "yes")))
                .hasMessage("enabled is \"yes\"; use true or false");
        assertThatThrownBy(() -> def.parse(Map.of("name", "x", "sizeBytes", "2GiB")))
                .hasMessage("sizeBytes is 2147483648, beyond 2147483647");
    }

    @Test
    void describeShowsUnitsAndHidesSecrets() {
        ConfigValues v = DEF.parse(Map.of("name", "x", "secret", "hunter2", "waitMs", "-1"));
        assertThat(DEF.describe(v)).isEqualTo(
                "name=x, waitMs=-1 (unlimited), mode=text, secret=***, sizeBytes=4 KiB, partBytes=1 KiB");
    }

    @Test
    void tableHasOneRowPerSettingWithDefaultRangeAndRules() {
        assertThat(DEF.markdownTable()).isEqualTo("""
                | key | default | allowed | meaning |
                |---|---|---|---|
                | `name` (`--name`) | required | text | what it is called |
                | `waitMs` | 10 s | ≥ 0; -1 (unlimited) | a wait |
                | `mode` | text | text, json | output |
                | `secret` | none | text | a password |
                | `sizeBytes` | 4 KiB | 1 B .. 1 MiB | a size |
                | `partBytes` | 1 KiB | 1 B .. 1 MiB; ≤ sizeBytes | a part of the size |
                """);
    }

    @Test
    void aSettingDeclaredTwiceIsRefused() {
        assertThatThrownBy(() -> DEF.include(INNER)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sizeBytes is declared twice");
    }
}
