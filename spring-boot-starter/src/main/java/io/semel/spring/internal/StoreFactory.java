package io.semel.spring.internal;

import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Opens the processor's {@link JdbcStore} on the application's DataSource. PostgreSQL: the store
 * borrows connections from that DataSource (the application's pool; closing the store leaves it
 * open). SQLite: the store opens its own single connection to the same file, because SQLite allows
 * one writer and the store serializes its transactions on one connection; the application's own
 * connections to the file wait on SQLite's busy timeout. Stateless.
 */
public final class StoreFactory {
    private StoreFactory() {
    }

    /**
     * @throws IllegalStateException for a database other than SQLite or PostgreSQL, or an in-memory
     *     SQLite database, with what to change
     */
    public static JdbcStore open(DataSource dataSource, StoreOptions options) {
        String product;
        String url;
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            product = md.getDatabaseProductName();
            url = md.getURL();
        } catch (SQLException e) {
            throw new IllegalStateException("the Semel store could not connect through the application's DataSource "
                    + "to find out which database it is: " + e.getMessage() + "; check spring.datasource.*", e);
        }
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (p.contains("sqlite")) {
            return JdbcStore.sqlite(sqliteFile(url), options);
        }
        if (p.contains("postgresql")) {
            return JdbcStore.postgres(dataSource, options);
        }
        throw new IllegalStateException("the application's DataSource is " + product + " (" + url + "); the Semel "
                + "store supports SQLite and PostgreSQL. Point spring.datasource.url at one of them, or declare your "
                + "own JdbcStore bean");
    }

    /**
     * The database file of a SQLite JDBC URL: {@code jdbc:sqlite:<path>[?params]}, the path possibly
     * written {@code file:<path>}.
     */
    public static Path sqliteFile(String url) {
        String rest = url == null ? "" : url;
        boolean memoryMode = rest.contains("mode=memory");
        if (rest.startsWith("jdbc:sqlite:")) {
            rest = rest.substring("jdbc:sqlite:".length());
        }
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        }
        if (rest.isEmpty() || rest.equals(":memory:") || memoryMode) {
            throw new IllegalStateException("the application's SQLite DataSource is in memory (" + url + "); the Semel "
                    + "store keeps its own connection to the same database, which an in-memory database cannot be "
                    + "shared with. Use a file: spring.datasource.url=jdbc:sqlite:/path/to/app.db");
        }
        return Path.of(rest);
    }
}
