package io.semel.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** The command line that repeats a run, for its report: the user's own arguments plus the seed it used. Stateless. */
final class Reproduce {
    private Reproduce() {
    }

    /** {@code semel <command> <its arguments as typed>}, with {@code --seed N} added when it was not given. */
    static String commandLine(CommandSpec spec, long seed) {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        String name = spec.name();
        int at = all.indexOf(name);
        List<String> args = new ArrayList<>(all.subList(at + 1, all.size()));
        boolean seeded = args.stream().anyMatch(a -> a.equals("--seed") || a.startsWith("--seed="));
        StringBuilder sb = new StringBuilder("semel ").append(name);
        for (String a : args) {
            sb.append(' ').append(quote(a));
        }
        if (!seeded) {
            sb.append(" --seed ").append(seed);
        }
        return sb.toString();
    }

    /** Single quotes for a POSIX shell when the argument holds anything but plain characters. */
    private static String quote(String a) {
        return !a.isEmpty() && a.matches("[A-Za-z0-9_./:=,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }
}
