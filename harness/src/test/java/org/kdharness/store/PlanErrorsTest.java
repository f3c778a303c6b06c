package org.kdharness.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registering a plan tolerates one integrity failure only: another worker's identical trials (a duplicate key). Any other
 * constraint, such as trials of a sweep never registered, is a fault to report, not a race to retry (it was taken for one,
 * and the registration retried itself without end).
 */
class PlanErrorsTest {

    @TempDir
    Path dir;

    @Test
    void trialsOfAnUnregisteredSweepAreRefusedOnce() {
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("metrics").toAbsolutePath())) {
            StoreException e = assertThrows(StoreException.class, () -> store.addTrials("nowhere", List.of(planned("t1"))));
            assertTrue(e.getMessage().contains("SWEEP"), "the constraint is named: " + e.getMessage());
            store.upsertSweep("nowhere", "name: nowhere\n");
            assertEquals(1, store.addTrials("nowhere", List.of(planned("t1"))));
            assertEquals(0, store.addTrials("nowhere", List.of(planned("t1"))), "known trials are not new");
        }
    }

    static MetricsStore.PlannedTrial planned(String id) {
        return new MetricsStore.PlannedTrial(id, 0, "response", 4.0, 0.5, null, null, null, null, 1, null, null, null, null,
                null, "{}", "k" + id);
    }
}
