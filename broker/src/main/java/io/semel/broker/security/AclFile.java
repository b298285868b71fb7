package io.semel.broker.security;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ACLs of a broker: {@code <dataDir>/security/acls}, one {@link AclEntry} per line in its
 * {@code toString} form ({@code allow <principal> <operation> <resourceType> <pattern>}), in the
 * {@link SecurityFile} format. Written by {@code semel acl}; read by the broker at start and again
 * whenever it changes. Thread-safe (stateless).
 */
public final class AclFile {
    static final String NAME = "acls";

    private AclFile() {
    }

    public static Path path(Path dataDir) {
        return SecurityFile.dir(dataDir).resolve(NAME);
    }

    public static List<AclEntry> read(Path dataDir) throws IOException {
        Path file = path(dataDir);
        List<AclEntry> out = new ArrayList<>();
        for (String line : SecurityFile.read(file)) {
            out.add(parse(file, line));
        }
        return List.copyOf(out);
    }

    /** Adds {@code entry}; returns false when it was there already. */
    public static boolean add(Path dataDir, AclEntry entry) throws IOException {
        return SecurityFile.locked(SecurityFile.dir(dataDir), () -> {
            Set<AclEntry> all = new LinkedHashSet<>(read(dataDir));
            boolean added = all.add(entry);
            if (added) {
                write(dataDir, all);
            }
            return added;
        });
    }

    /** Removes {@code entry}; returns false when it was not there. */
    public static boolean remove(Path dataDir, AclEntry entry) throws IOException {
        return SecurityFile.locked(SecurityFile.dir(dataDir), () -> {
            Set<AclEntry> all = new LinkedHashSet<>(read(dataDir));
            boolean removed = all.remove(entry);
            if (removed) {
                write(dataDir, all);
            }
            return removed;
        });
    }

    private static void write(Path dataDir, Set<AclEntry> entries) throws IOException {
        SecurityFile.write(path(dataDir), "acl", entries.stream().map(AclEntry::toString).toList());
    }

    private static AclEntry parse(Path file, String line) throws IOException {
        String[] f = line.split(" ");
        try {
            if (f.length != 5 || !f[0].equals("allow")) {
                throw new IllegalArgumentException("expected 'allow <principal> <operation> <resource type> <pattern>'");
            }
            return new AclEntry(f[1], Operation.valueOf(f[2].toUpperCase(Locale.ROOT)),
                    ResourceType.valueOf(f[3].toUpperCase(Locale.ROOT)), f[4]);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad ACL line '" + line + "': " + e.getMessage()
                    + "; restore the file from a backup", e);
        }
    }
}
