package org.kdharness.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several workers share one H2 file through {@code AUTO_SERVER}: the first to open it serves it to the
 * others. When that worker ends (its share of the sweep done) or is killed, the others' connections
 * die with it, in the middle of their calls; a worker still training must carry on on a new
 * connection, not fail its trials with "Database is already closed" (seen in CI: AshaProcessTest,
 * where one worker of two exited first).
 */
@org.junit.jupiter.api.Timeout(300)
class StoreServerExitTest {

    @TempDir
    Path dir;

    @Test
    void writersCarryOnWhenTheServingWorkerExits() throws Exception {
        for (int round = 0; round < 3; round++) {
            carriesOn(round, false);
        }
    }

    @Test
    void writersCarryOnWhenTheServingWorkerIsKilled() throws Exception {
        for (int round = 0; round < 2; round++) {
            carriesOn(round, true);
        }
    }

    /** Two threads write epochs (transactions) and read the ledger without pause while the serving process ends. */
    private void carriesOn(int round, boolean kill) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("r" + round + "/metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE";
        Path release = dir.resolve("release" + round);
        String java = ProcessHandle.current().info().command().orElse("java");
        // its output goes to a file, not a pipe nobody drains after "holding": H2 writing more than a pipe holds while
        // it closes under the writers would block the holder's exit
        Path log = dir.resolve("holder" + round + ".log");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), org.kdharness.HoldDatabase.class.getName(),
                url, release.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (MetricsStore store = MetricsStore.open(awaitHolding(holder, log, url))) {
            store.upsertSweep("s", "name: s\n");
            store.addTrials("s", List.of(PlanErrorsTest.planned("t1"), PlanErrorsTest.planned("t2")));
            List<String> claimed = List.of(store.claimNext("s", "w", 0, 1).orElseThrow(), store.claimNext("s", "w", 0, 1).orElseThrow());
            AtomicBoolean holderGone = new AtomicBoolean();
            List<Future<Integer>> writers = new ArrayList<>();
            for (String id : claimed) {
                writers.add(pool.submit(() -> {
                    int epoch = 0;
                    // until well after the holder is gone: the calls in flight when it went, and the ones after
                    for (long until = Long.MAX_VALUE; System.nanoTime() < until; ) {
                        epoch++;
                        store.recordEpoch("s", id, epoch, Map.of("val_accuracy", epoch / 1000.0));
                        store.trials("s");
                        if (holderGone.get() && until == Long.MAX_VALUE) {
                            until = System.nanoTime() + 1_000_000_000L;
                        }
                    }
                    store.complete("s", id, Map.of("test_accuracy", 0.5), epoch, 1.0, new TrialRow.Provenance("r", "graph"));
                    return epoch;
                }));
            }
            Thread.sleep(300);
            if (kill) {
                holder.destroyForcibly();
            } else {
                Files.writeString(release, "");
            }
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS), () -> "holder ended; its output:\n" + read(log));
            holderGone.set(true);
            for (int i = 0; i < 2; i++) {
                int epochs = writers.get(i).get();
                assertEquals(epochs, store.epochs("s", claimed.get(i)).size(), "every epoch written is stored once");
            }
            List<TrialRow> rows = store.trials("s");
            assertEquals(List.of("done", "done"), rows.stream().map(TrialRow::status).toList());
        } finally {
            pool.shutdownNow();
            holder.destroyForcibly();
        }
    }

    private static String awaitHolding(Process holder, Path log, String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && holder.isAlive() && !read(log).contains("\n")) {
            Thread.sleep(20);
        }
        assertEquals("holding", read(log).lines().findFirst().orElse(""), "the holder opened the store first: it serves it");
        return url;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
