package org.kdharness.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.config.SearchSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ASHA's ledger under contention: decisions of two stores (two workers) released at the same
 * instant still form one serial order, and a configuration with a seed running elsewhere is not
 * claimed in part.
 */
class RungLedgerTest {

    @TempDir
    Path dir;

    static final SearchSpec ASHA = new SearchSpec("asha", 1, 3.0, null);

    private static MetricsStore.PlannedTrial trial(String id, int ordinal, String config) {
        return new MetricsStore.PlannedTrial(id, ordinal, "response", 4.0, 0.5, null, null, null, null, ordinal % 2, null, null,
                null, null, null, "{}", config);
    }

    private String url() {
        return "jdbc:h2:file:" + dir.resolve("metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    }

    @Test
    void decisionsTakenAtTheSameInstantFormOneSerialOrder() throws Exception {
        int configs = 16;
        try (MetricsStore a = MetricsStore.open(url()); MetricsStore b = MetricsStore.open(url())) {
            a.upsertSweep("s", "x");
            List<MetricsStore.PlannedTrial> plan = new ArrayList<>();
            for (int i = 0; i < configs; i++) {
                plan.add(trial("t" + i, i, "c" + i));
            }
            a.addTrials("s", plan);
            CyclicBarrier start = new CyclicBarrier(configs);
            ExecutorService pool = Executors.newFixedThreadPool(configs);
            List<Future<RungLedger.Decision>> decided = new ArrayList<>();
            try {
                for (int i = 0; i < configs; i++) {
                    MetricsStore store = i % 2 == 0 ? a : b;
                    int k = i;
                    double metric = ((k * 7) % configs) / (double) configs; // distinct, in no particular order
                    decided.add(pool.submit(() -> {
                        start.await();
                        return store.rungs().decide("s", "c" + k, 0, 1, metric, ASHA::promotes);
                    }));
                }
                List<RungLedger.Decision> all = new ArrayList<>();
                for (Future<RungLedger.Decision> f : decided) {
                    all.add(f.get());
                }
                all.sort(Comparator.comparingInt(RungLedger.Decision::arrival));
                for (int i = 0; i < all.size(); i++) {
                    RungLedger.Decision d = all.get(i);
                    assertEquals(i + 1, d.arrival(), "each arrival once: " + all);
                    int rank = 1 + (int) all.subList(0, i).stream().filter(o -> o.metric() > d.metric()).count();
                    assertEquals(ASHA.promotes(rank, i + 1), d.promoted(), "decision " + d + " against the arrivals before it");
                }
                // a decision once taken is what a rerun reads
                RungLedger.Decision again = b.rungs().decide("s", "c3", 0, 1, -1.0, ASHA::promotes);
                assertEquals(all.stream().filter(d -> d.metric() == ((3 * 7) % configs) / (double) configs).findFirst().orElseThrow(), again);
                assertEquals(configs, a.rungs().rows("s").size());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aConfigurationWithASeedRunningElsewhereIsNotClaimedInPart() {
        try (MetricsStore store = MetricsStore.open(url())) {
            store.upsertSweep("s", "x");
            store.addTrials("s", List.of(trial("a1", 0, "A"), trial("a2", 1, "A"), trial("b1", 2, "B"), trial("b2", 3, "B")));
            // a1 runs on another worker (as after a stale release of a2 alone)
            assertEquals(java.util.Optional.of("a1"), store.claimNext("s", "other", 0, 1));
            List<String> claimed = store.rungs().claimConfiguration("s", "me", 0, 1);
            assertEquals(List.of("b1", "b2"), claimed, "A waits for its running seed; B is claimed whole");
            assertTrue(store.rungs().claimConfiguration("s", "me", 0, 1).isEmpty(), "a2 stays pending while a1 runs");
        }
    }
}
