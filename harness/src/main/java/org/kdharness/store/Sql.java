package org.kdharness.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepared statements over one connection, with SQL errors as {@link StoreException}; a connection
 * found lost is replaced and the call made again.
 *
 * <p>Why apart from {@link MetricsStore}: the store's methods say what the ledger does;
 * binding, mapping rows, reconnecting and the portable value conversions are the same for all of them.
 *
 * <p>Why a call may be made again: a lost connection ({@link Connections#isLost}) means the other end
 * went away (H2's serving worker ended, a database restarted). A statement outside a transaction is
 * made again on the new connection, a transaction is run again whole (its work must start from
 * scratch each time), never a statement in the middle of one, whose earlier statements died with the
 * connection. Every write of the ledger gives the same rows when made twice, so a call whose commit
 * reached the database just before the connection went is harmless to repeat; the exception is a
 * claim, which would then claim the next trial or configuration too, and leave the first {@code running}
 * until its heartbeat is stale (then it is released like a dead worker's).
 *
 * <p>Not thread-safe: its callers hold the store's lock.
 */
final class Sql implements AutoCloseable {

    /** How many times a call meets a lost connection before its failure stands. */
    private static final int ATTEMPTS = 4;

    private final java.util.function.Supplier<Connection> reconnect;
    private Connection conn;
    private boolean inTransaction;

    /** @param reconnect opens a new connection to the same store (retrying races for it itself) */
    Sql(Connection conn, java.util.function.Supplier<Connection> reconnect) {
        this.conn = conn;
        this.reconnect = reconnect;
    }

    /**
     * Runs {@code work} as one transaction: committed whole, or rolled back and rethrown; run again whole if the
     * connection was lost. Inside another transaction, it joins it.
     */
    void transaction(Runnable work) {
        if (inTransaction) {
            work.run();
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                conn.setAutoCommit(false);
                inTransaction = true;
                try {
                    work.run();
                    conn.commit();
                    return;
                } catch (RuntimeException e) {
                    quietly(conn::rollback);
                    throw e;
                } finally {
                    inTransaction = false;
                    quietly(() -> conn.setAutoCommit(true));
                }
            } catch (SQLException | RuntimeException e) {
                if (attempt < ATTEMPTS && Connections.isLost(e)) {
                    replaceConnection();
                    continue;
                }
                throw e instanceof RuntimeException r ? r : new StoreException("store transaction failed: " + e.getMessage(), e);
            }
        }
    }

    private interface Call<T> {
        T run() throws SQLException;
    }

    /** Makes {@code call}, again on a new connection when it found the connection lost outside a transaction. */
    private <T> T call(String what, Call<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (SQLException e) {
                if (!inTransaction && attempt < ATTEMPTS && Connections.isLost(e)) {
                    replaceConnection();
                    continue;
                }
                throw new StoreException(what + ": " + e.getMessage(), e);
            }
        }
    }

    private void replaceConnection() {
        quietly(conn::close);
        conn = reconnect.get();
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    /** Runs {@code action} on a connection that may be gone: a failure there is not the one that matters. */
    private static void quietly(SqlAction action) {
        try {
            action.run();
        } catch (SQLException ignored) {
            // the original outcome stands
        }
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new StoreException("closing store: " + e.getMessage(), e);
        }
    }

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return call("store query failed", () -> {
            try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        });
    }

    int update(String sql, Object... args) {
        return call("store update failed", () -> {
            try (PreparedStatement ps = prepare(sql, args)) {
                return ps.executeUpdate();
            }
        });
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = conn.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    static Map<String, Object> rowMap(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            m.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
        }
        return m;
    }

    static Double nullable(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }

    /** Non-finite values are stored as NULL (portable across databases). */
    static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
