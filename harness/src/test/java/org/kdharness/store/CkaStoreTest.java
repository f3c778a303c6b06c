package org.kdharness.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Workers that measure CKA at the same moment rank mappings from one matrix, the first stored: otherwise each would
 * plan the cka-top-k trials of its own measurement, and a duplicate key failed the second worker's run.
 */
class CkaStoreTest {

    @TempDir
    Path dir;

    @Test
    void workersMeasuringAtOnceKeepTheFirstStoredMatrix() throws Exception {
        keepsTheFirst("jdbc:h2:file:" + dir.resolve("metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE", "");
    }

    @Test
    void workersMeasuringAtOnceOnPostgresqlKeepTheFirstStoredMatrix() throws Exception {
        String pg = org.kdharness.TestPostgres.url();
        keepsTheFirst(pg, "cka" + System.currentTimeMillis() + "-"); // sweeps of its own: the database outlives the test
    }

    private void keepsTheFirst(String url, String prefix) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (MetricsStore a = MetricsStore.open(url); MetricsStore b = MetricsStore.open(url)) {
            for (int round = 0; round < 200; round++) {
                String sweep = prefix + "s" + round;
                if (round % 2 == 0) {
                    a.upsertSweep(sweep, "name: s\n"); // a sweep run before; the odd rounds are a first run
                }
                double[][] mine = {{0.1, 0.2}, {0.3, round}}, theirs = {{0.9, 0.8}, {0.7, round}};
                CyclicBarrier together = new CyclicBarrier(2);
                Future<double[][]> first = pool.submit(() -> {
                    together.await();
                    return a.keepCka(sweep, "mlp[8]", "t", mine);
                });
                Future<double[][]> second = pool.submit(() -> {
                    together.await();
                    return b.keepCka(sweep, "mlp[8]", "t", theirs);
                });
                double[][] x = first.get(), y = second.get();
                assertArrayEquals(x, y, "round " + round + ": both workers rank from one matrix");
                assertArrayEquals(x, a.cka(sweep, "t").get("mlp[8]"), "and it is the stored one");
            }
            // another teacher's matrix is not kept for this one; a matrix of another shape is replaced
            String other = prefix + "other";
            a.upsertSweep(other, "name: other\n");
            a.putCka(other, "mlp[8]", "old-teacher", new double[][]{{0.5, 0.5}, {0.5, 0.5}});
            double[][] fresh = {{0.1, 0.2}, {0.3, 0.4}};
            assertArrayEquals(fresh, a.keepCka(other, "mlp[8]", "new-teacher", fresh));
            double[][] wider = {{0.1, 0.2, 0.3}, {0.4, 0.5, 0.6}};
            assertArrayEquals(wider, a.keepCka(other, "mlp[8]", "new-teacher", wider));
            assertEquals(3, a.cka(other).get("mlp[8]")[0].length);
        } finally {
            pool.shutdownNow();
        }
    }
}
