package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.config.SearchSpec;
import org.kdharness.store.MetricsStore;
import org.kdharness.train.TrainingStopped;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stop while one seed waits at a rung and its sibling is still training: the sibling leaves, but no decision is taken
 * on the seed that happened to arrive (it would be final, and the resumed run would read it back), and the waiting
 * seed stops too.
 */
class AshaStopTest {

    @TempDir
    Path dir;

    @Test
    void aStoppedSiblingDecidesNothingAndStopsTheSeedWaitingAtTheRung() throws Exception {
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("metrics"))) {
            store.upsertSweep("s", "name: s\n");
            store.addTrials("s", List.of(planned("a"), planned("b")));
            AshaJob job = new AshaJob("s", "k", new SearchSpec("asha", 1, 2.0, null), 4, store.rungs(), 2);
            AtomicReference<Throwable> waiting = new AtomicReference<>();
            Thread seedA = new Thread(() -> {
                try {
                    job.gate().epochDone(1, Map.of("val_accuracy", 0.5)); // rung 0 is at epoch 1: waits for seed b
                } catch (Throwable t) {
                    waiting.set(t);
                } finally {
                    job.leave();
                }
            });
            seedA.start();
            Thread.sleep(300); // seed a is waiting at the rung
            assertTrue(seedA.isAlive(), "seed a waits for its sibling at the rung");
            // seed b is stopped before its rung (what SweepRunner.runOne does on TrainingStopped)
            job.stop();
            job.leave();
            seedA.join(10_000);
            assertInstanceOf(TrainingStopped.class, waiting.get(), "the waiting seed stops too");
            assertEquals(List.of(), store.rungs().rows("s"), "no rung decided on one seed of two");
        }
    }

    private static MetricsStore.PlannedTrial planned(String id) {
        return new MetricsStore.PlannedTrial(id, id.charAt(0) - 'a', "response", 4.0, 0.5, null, null, null, null, id.charAt(0) - 'a' + 1,
                null, null, null, null, null, "{}", "k");
    }
}
