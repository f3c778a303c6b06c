package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.config.SearchSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ASHA with real worker processes on one store: two workers deciding concurrently produce
 * decisions that form one serial order, and a worker killed (SIGKILL) at a rung resumes
 * correctly: its configuration is trained again to the rung and reads the decision stored
 * before the kill.
 */
class AshaProcessTest {

    @TempDir
    Path dir;

    static final SearchSpec SEARCH = new SearchSpec("asha", 1, 3.0, null);

    /** 8 configurations x 2 seeds, 9 epochs (rungs 1, 3) through the graph engine: a few seconds per trial. */
    private Path config(String name) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, TinySweep.yaml(name, """
                sweep:
                  methods: [response]
                  temperature: [1, 2, 4, 8]
                  alpha: [0.5, 0.9]
                  seeds: [1, 2]
                  search: {strategy: asha, min_epochs: 1, reduction_factor: 3}
                runtime:
                  engine: graph
                  parallel_trials: 2
                """).replace("train_limit: 600", "train_limit: 2000")
                .replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 9, batch_size: 32}"));
        return file;
    }

    private Process worker(Path config, String log, String... options) throws Exception {
        String[] all = new String[options.length + 1];
        all[0] = "--no-report";
        System.arraycopy(options, 0, all, 1, options.length);
        return WorkerProcesses.start(dir, config, log, all);
    }

    private String url(String name) {
        return "jdbc:h2:file:" + dir.resolve("reports/" + name + "/metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    }

    @Test
    void twoWorkersDecideInOneSerialOrder() throws Exception {
        twoWorkers("pair", url("pair"));
    }

    @Test
    void twoWorkersOnPostgresqlDecideInOneSerialOrder() throws Exception {
        String pg = org.kdharness.TestPostgres.url();
        twoWorkers("ashapg" + System.currentTimeMillis(), pg); // a sweep name of its own: the database outlives the test
    }

    private void twoWorkers(String name, String url) throws Exception {
        Path config = config(name);
        String[] store = url.startsWith("jdbc:h2:") ? new String[0] : new String[]{"--jdbc-url", url};
        Process a = worker(config, "a.log", store);
        Process b = worker(config, "b.log", store);
        assertTrue(a.waitFor(300, TimeUnit.SECONDS) && b.waitFor(300, TimeUnit.SECONDS), "workers did not finish");
        assertEquals(0, a.exitValue(), Files.readString(dir.resolve("a.log")));
        assertEquals(0, b.exitValue(), Files.readString(dir.resolve("b.log")));
        AshaInvariants ledger = AshaInvariants.read(url, name);
        ledger.assertFinished(SEARCH, 9);
        ledger.trials.forEach((id, t) -> assertEquals(1, t.attempts(), id + " was claimed twice"));
        String logA = Files.readString(dir.resolve("a.log")), logB = Files.readString(dir.resolve("b.log"));
        assertTrue(logA.contains("run now") && !logA.contains(" 0 run now") && !logB.contains(" 0 run now"),
                "both workers trained configurations:\n" + logA + "\n" + logB);
    }

    @Test
    void aWorkerKilledAtARungResumesFromTheStoredDecisions() throws Exception {
        Path config = config("killed");
        Process p = worker(config, "killed.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        AshaInvariants seen = null;
        while (System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(200);
            try {
                seen = AshaInvariants.read(url("killed"), "killed");
            } catch (SQLException e) {
                continue; // the worker is still creating the store
            }
            // past a decision, with a configuration mid-way between rungs
            if (seen.decisions.size() >= 3 && seen.trials.values().stream().anyMatch(t -> t.status().equals("running") && t.epochRows() >= 2)) {
                break;
            }
        }
        assertTrue(p.isAlive(), "worker finished before it could be killed: " + Files.readString(dir.resolve("killed.log")));
        p.destroyForcibly(); // SIGKILL
        p.waitFor(30, TimeUnit.SECONDS);
        AshaInvariants before = AshaInvariants.read(url("killed"), "killed");
        List<String> interrupted = new ArrayList<>();
        before.trials.forEach((id, t) -> {
            if (t.status().equals("running")) {
                interrupted.add(id);
            }
        });
        assertTrue(!interrupted.isEmpty(), "the kill left trials running");

        assertEquals(0, Main.execute("run", config.toString(), "--reports", dir.resolve("reports").toString(), "--no-report"));
        AshaInvariants after = AshaInvariants.read(url("killed"), "killed");
        after.assertFinished(SEARCH, 9);
        assertEquals(16, after.count("done") + after.count("pruned"), "every planned trial finished once");
        // decisions taken before the kill stand: the rerun read them instead of deciding again
        for (AshaInvariants.Decision d : before.decisions) {
            assertTrue(after.decisions.contains(d), "decision " + d + " kept");
        }
        for (String id : interrupted) {
            assertEquals(2, after.trials.get(id).attempts(), id + " was trained again");
        }
        before.trials.forEach((id, t) -> {
            if (!t.status().equals("running") && !t.status().equals("pending")) {
                assertEquals(t, after.trials.get(id), id + " finished before the kill and was not touched");
            }
        });
    }
}
