package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ReproduceTest {
    /** The two commands under a top level, as in the semel command. */
    @CommandLine.Command(name = "semel", subcommands = {VerifyCommand.class, DemoCommand.class})
    static final class Top {
    }

    private static String reproduce(long seed, String... args) {
        CommandLine cl = new CommandLine(new Top());
        CommandLine.ParseResult r = cl.parseArgs(args);
        return Reproduce.commandLine(r.subcommand().commandSpec(), seed);
    }

    @Test
    void addsTheSeedTheRunUsedWhenItWasNotGiven() {
        assertThat(reproduce(1, "verify", "--guarantee", "at-least-once", "--duration", "20s"))
                .isEqualTo("semel verify --guarantee at-least-once --duration 20s --seed 1");
    }

    @Test
    void keepsAGivenSeedAndQuotesWhatAShellWouldSplit() {
        assertThat(reproduce(7, "demo", "--seed", "7", "--report", "my reports/x"))
                .isEqualTo("semel demo --seed 7 --report 'my reports/x'");
    }

    @Test
    void keepsTheFailoverTimeouts() {
        assertThat(reproduce(3, "verify", "--duration", "45m", "--failover", "tolerant"))
                .isEqualTo("semel verify --duration 45m --failover tolerant --seed 3");
    }
}
