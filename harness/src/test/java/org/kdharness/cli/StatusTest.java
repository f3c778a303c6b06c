package org.kdharness.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `kd status` names the best configuration by the report's rule, not the luckiest trial. */
class StatusTest {

    @TempDir
    Path dir;

    @Test
    void bestIsTheConfigurationWithTheBestMeanValidationAccuracy() throws Exception {
        Path config = TinySweep.write(dir, "st", TinySweep.SMALL_GRID);
        String url = "jdbc:h2:file:" + dir.resolve("st-store") + ";AUTO_SERVER=TRUE";
        try (MetricsStore store = MetricsStore.open(url)) {
            store.upsertSweep("st", "name: st\n");
            // response T=2: seeds at val 0.90 and 0.50 (the best single trial, mean 0.70);
            // response T=4: 0.80 and 0.80 (mean 0.80, the best configuration)
            store.addTrials("st", List.of(
                    planned("a1", 0, 2.0, 1), planned("a2", 1, 2.0, 2), planned("b1", 2, 4.0, 1), planned("b2", 3, 4.0, 2)));
            double[][] val = {{0.90, 0.50}, {0.80, 0.80}};
            String[][] ids = {{"a1", "a2"}, {"b1", "b2"}};
            for (int c = 0; c < 2; c++) {
                for (int k = 0; k < 2; k++) {
                    store.claimNext("st", "w", 0, 1);
                    store.complete("st", ids[c][k], Map.of("val_accuracy", val[c][k], "test_accuracy", 0.7), 1, 1.0,
                            new TrialRow.Provenance("run", "layers"));
                }
            }
        }
        CliRun.Result r = CliRun.run("status", config.toString(), "--jdbc-url", url);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("best configuration by mean val accuracy: response (T=4, α=0.5), 2 seed(s): val 0.8000"), r.out());
    }

    @Test
    void runningTrialsShowTheirEpochAndADeadWorkersTrialShowsAsStale() throws Exception {
        Path config = dir.resolve("live.yaml");
        java.nio.file.Files.writeString(config, TinySweep.yaml("live", TinySweep.SMALL_GRID)
                .replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 3, batch_size: 64}"));
        String url = "jdbc:h2:file:" + dir.resolve("live-store") + ";AUTO_SERVER=TRUE";
        // a process that has exited: its pid names a dead worker on this host
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String host = org.kdharness.store.WorkerId.host();
        try (MetricsStore store = MetricsStore.open(url)) {
            store.upsertSweep("live", "name: live\n");
            store.addTrials("live", List.of(planned("a1", 0, 2.0, 1), planned("a2", 1, 2.0, 2), planned("b1", 2, 4.0, 1)));
            store.claimNext("live", org.kdharness.store.WorkerId.current(), 0, 1);
            store.recordEpoch("live", "a1", 1, Map.of("train_loss", 0.5, "val_accuracy", 0.75, "epoch_seconds", 2.0));
            store.recordEpoch("live", "a1", 2, Map.of("train_loss", 0.25, "val_accuracy", 0.8125, "epoch_seconds", 4.0));
            store.claimNext("live", host + ":" + gone.pid(), 0, 1);
            store.recordEpoch("live", "a2", 1, Map.of("train_loss", 0.75, "epoch_seconds", 3.0));
        }
        CliRun.Result r = CliRun.run("status", config.toString(), "--jdbc-url", url);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("live: 0/3 done {pending=1, running=2}"), r.out());
        assertTrue(r.out().contains("  a1 response T=2, α=0.5 seed=1 | epoch 2/3, train_loss 0.2500, val 0.8125, 3.0 s/epoch | "
                + org.kdharness.store.WorkerId.current()), r.out());
        assertTrue(r.out().contains("  a2 response T=2, α=0.5 seed=2 | stale: worker " + host + ":" + gone.pid() + " is gone, last heartbeat "),
                r.out());
    }

    private static MetricsStore.PlannedTrial planned(String id, int ordinal, double t, long seed) {
        return new MetricsStore.PlannedTrial(id, ordinal, "response", t, 0.5, null, null, null, null, seed, null, null, null, null,
                null, "{}", id);
    }
}
