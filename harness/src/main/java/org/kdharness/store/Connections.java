package org.kdharness.store;

import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Set;

/**
 * Connections to a store: the first one (which migrates the schema) and every later one that replaces a connection
 * lost under a running worker.
 *
 * <p>Why a worker reconnects: workers on one H2 file share it through {@code AUTO_SERVER}, the first to open it
 * serving it to the others, so the others' connections end when that worker ends, in the middle of their calls,
 * though the file is there for the next one to serve ({@code StoreServerExitTest}); a PostgreSQL server restarted
 * overnight does the same to every worker.
 */
final class Connections {

    /**
     * H2's codes for a session that is gone: the serving process shutting down (90121), a broken socket (90067), a
     * closed database or connection (90098, 90007). Other drivers say so by SQLSTATE class 08, and PostgreSQL, shutting
     * down or restarting, by 57P01..57P03 on the statement in flight.
     */
    private static final Set<Integer> H2_LOST = Set.of(90121, 90067, 90098, 90007);

    /**
     * H2's general error (50000) for a statement whose transaction the database rolled back under it while it waited,
     * as the serving process closes the database on its way out: "Transaction 1 has status ROLLED_BACK, not OPEN" on a
     * heartbeat update (CI, {@code StoreServerExitTest}). Nothing of that transaction was committed, so it is made
     * again on a new connection, like any call that lost its connection.
     */
    private static final String H2_ROLLED_BACK = "has status ROLLED_BACK";

    /**
     * H2's IO error (90028) that is the remote session's socket ending, "IO Exception: java.io.EOFException", as a
     * worker's query met it when the serving worker exited (CI, {@code WorkerProcessTest}); other IO errors (a full
     * disk) are not a lost connection.
     */
    private static final String H2_EOF = "EOFException";

    private Connections() {
    }

    /**
     * Opens a connection, after migrating the schema when {@code migrate}. Workers started together race for an H2
     * file's lock (AUTO_SERVER elects one as server), and a reconnecting worker for the file its server just left: a
     * short randomised retry lets them connect to whichever process serves it now.
     */
    static Connection open(String jdbcUrl, boolean migrate) {
        java.util.Random jitter = new java.util.Random();
        boolean folders = true;
        for (int attempt = 1; ; attempt++) {
            try {
                // H2's default account; other databases take their credentials from the URL, or from
                // the driver's own sources (PostgreSQL: ~/.pgpass, PGPASSWORD), so none need be in argv
                boolean h2 = jdbcUrl.startsWith("jdbc:h2:");
                folders = OpenFailures.createFolders(jdbcUrl);
                if (migrate) {
                    Flyway.configure().loggers("slf4j").dataSource(jdbcUrl, h2 ? "sa" : null, h2 ? "" : null).load().migrate();
                }
                Connection c = h2 ? DriverManager.getConnection(jdbcUrl, "sa", "") : DriverManager.getConnection(jdbcUrl);
                c.setAutoCommit(true);
                durable(c, jdbcUrl);
                return c;
            } catch (SQLException | RuntimeException e) {
                if (attempt >= 10 || !(OpenFailures.isLockRace(e, folders) || !migrate && isLost(e))) {
                    throw new StoreException(Credentials.mask("cannot open metrics store " + jdbcUrl + ": " + OpenFailures.rootCause(e)), e);
                }
                try {
                    Thread.sleep(200L + jitter.nextInt(300 * attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new StoreException(Credentials.mask("interrupted opening " + jdbcUrl), ie);
                }
            }
        }
    }

    /** Whether {@code e} says the connection is gone (rather than that a statement failed on a live one). */
    static boolean isLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (s.getSQLState() != null && (s.getSQLState().startsWith("08")
                    || Set.of("57P01", "57P02", "57P03").contains(s.getSQLState()))
                    || s.getClass().getName().startsWith("org.h2.") && (H2_LOST.contains(s.getErrorCode())
                    || s.getErrorCode() == 50000 && s.getMessage() != null && s.getMessage().contains(H2_ROLLED_BACK)
                    || s.getErrorCode() == 90028 && s.getMessage() != null && s.getMessage().contains(H2_EOF)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes every commit reach the database file before the call returns, so that whatever
     * the console calls done survives a kill -9 of the process right after. H2 otherwise
     * keeps commits in memory for up to {@code WRITE_DELAY} (500 ms): a killed worker lost
     * every row it had committed in that window (WorkerProcessTest). With 0, H2 2.2 writes
     * the MVStore chunk synchronously at each commit (into the OS page cache: it survives
     * the process, not a power loss; it does not fsync). The setting is database-wide and
     * persistent. PostgreSQL's commits are durable by default ({@code synchronous_commit = on}).
     */
    private static void durable(Connection c, String jdbcUrl) throws SQLException {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET WRITE_DELAY 0");
            }
        }
    }
}
