package org.kdharness.store;

import org.h2.jdbc.JdbcSQLNonTransientException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which failures mean the connection (or its server) is gone, so that the call is made again on a new one. */
class ConnectionsTest {

    private static SQLException h2(int code, String message) {
        return new JdbcSQLNonTransientException(message, "UPDATE trial SET heartbeat_at = ?", "HY000", code, null, null);
    }

    @Test
    void aTransactionTheClosingServerRolledBackCountsAsLost() {
        // as CI met it: the serving worker exited while another worker's heartbeat update waited
        SQLException rolledBack = h2(50000, "General error: \"Transaction 1 has status ROLLED_BACK, not OPEN [2.2.220/103]\"");
        assertTrue(Connections.isLost(new StoreException("store update failed", rolledBack)), "wrapped, as the store throws it");
        assertTrue(Connections.isLost(h2(90121, "Database is already closed")));
        // as CI met it too: a query on the serving worker's socket as that worker exited
        assertTrue(Connections.isLost(h2(90028, "IO Exception: \"java.io.EOFException\"")));
        assertFalse(Connections.isLost(h2(90028, "IO Exception: \"No space left on device\"")), "a full disk is not a lost connection");
        assertFalse(Connections.isLost(h2(50000, "General error: \"something else\"")), "other general errors stand");
        assertFalse(Connections.isLost(h2(23505, "Unique index or primary key violation")), "a live connection's failure");
        assertFalse(Connections.isLost(new SQLException("has status ROLLED_BACK", "HY000", 50000)), "H2's error only");
    }
}
