package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real worker processes on one store: a worker killed with SIGKILL mid-sweep loses nothing
 * and a rerun finishes every trial exactly once; two workers split a sweep without running
 * any trial twice.
 */
class WorkerProcessTest {

    @TempDir
    Path dir;

    /**
     * 10 trials of about two seconds each: long enough to kill a worker mid-sweep and for two
     * workers to overlap (the second one's start, store election and teacher loading take
     * seconds). The graph engine keeps them that long (the hand-written path runs this tiny
     * MLP ten times faster).
     */
    static final String GRID = """
            sweep:
              methods: [baseline, response]
              temperature: [2, 4]
              alpha: [0.5, 0.9]
              seeds: [1, 2]
            runtime:
              engine: graph
            """;

    private Path config(String name) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, TinySweep.yaml(name, GRID)
                .replace("train_limit: 600", "train_limit: 3000")
                .replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 6, batch_size: 32}"));
        return file;
    }

    private Process worker(Path config, String log) throws Exception {
        return worker(config, log, "--no-report");
    }

    private Process worker(Path config, String log, String... options) throws Exception {
        return WorkerProcesses.start(dir, config, log, options);
    }

    private String url(String name) {
        return "jdbc:h2:file:" + dir.resolve("reports/" + name + "/metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    }

    /** trial_id to {status, attempts, finished_at, worker, epoch rows}. */
    private Map<String, List<String>> ledger(String name) throws SQLException {
        return ledger(url(name), name);
    }

    private Map<String, List<String>> ledger(String url, String name) throws SQLException {
        Map<String, List<String>> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT t.trial_id, t.status, t.attempts, t.finished_at, t.worker,"
                     + " (SELECT COUNT(*) FROM epoch_metric e WHERE e.sweep = t.sweep AND e.trial_id = t.trial_id AND e.name = 'epoch')"
                     + " FROM trial t WHERE t.sweep = '" + name + "'")) {
            while (rs.next()) {
                out.put(rs.getString(1), List.of(rs.getString(2), rs.getString(3), String.valueOf(rs.getString(4)),
                        String.valueOf(rs.getString(5)), rs.getString(6)));
            }
        }
        return out;
    }

    private long count(Map<String, List<String>> ledger, String status) {
        return ledger.values().stream().filter(r -> r.get(0).equals(status)).count();
    }

    @Test
    void killedWorkerLosesNothingAndRerunFinishesEachTrialOnce() throws Exception {
        Path config = config("killed");
        Process p = worker(config, "killed.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        Map<String, List<String>> seen = Map.of();
        while (System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(300);
            try {
                seen = ledger("killed");
            } catch (SQLException e) {
                continue; // the worker is still creating the store
            }
            if (count(seen, "done") >= 3 && count(seen, "running") >= 1) {
                break;
            }
        }
        assertTrue(p.isAlive(), "worker finished before it could be killed: " + Files.readString(dir.resolve("killed.log")));
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        p.waitFor(30, TimeUnit.SECONDS);

        Map<String, List<String>> before = ledger("killed");
        assertEquals(10, before.size());
        List<String> doneBefore = new ArrayList<>();
        before.forEach((id, r) -> {
            if (r.get(0).equals("done")) {
                doneBefore.add(id);
            }
        });
        assertTrue(count(before, "running") >= 1, "the kill left a trial running: " + before);

        assertEquals(0, Main.execute("run", config.toString(), "--reports", dir.resolve("reports").toString(), "--no-report"));
        Map<String, List<String>> after = ledger("killed");
        assertEquals(10, count(after, "done"), after.toString());
        for (String id : doneBefore) {
            assertEquals(before.get(id).get(2), after.get(id).get(2), "done trial " + id + " was re-run");
            assertEquals("1", after.get(id).get(1));
        }
        before.forEach((id, r) -> {
            if (r.get(0).equals("running")) {
                assertEquals("2", after.get(id).get(1), "the interrupted trial ran again");
            }
        });
        after.values().forEach(r -> assertEquals("6", r.get(4), "one row per epoch, none left from the killed attempt"));
    }

    /**
     * Two real workers on one store, each writing the report when it finishes: both exit 0,
     * no trial runs twice, both ran trials, one whole report and no temp file remain, and no
     * credential of the store URL reaches their output.
     */
    private void twoWorkersFinishTogether(String name, String... options) throws Exception {
        Path config = config(name);
        Process a = worker(config, name + "-a.log", options);
        Process b = worker(config, name + "-b.log", options);
        assertTrue(a.waitFor(300, TimeUnit.SECONDS) && b.waitFor(300, TimeUnit.SECONDS), "workers did not finish");
        String logA = Files.readString(dir.resolve(name + "-a.log")), logB = Files.readString(dir.resolve(name + "-b.log"));
        assertEquals(0, a.exitValue(), logA);
        assertEquals(0, b.exitValue(), logB);
        String url = options.length > 1 ? options[1] : url(name);
        Map<String, List<String>> ledger = ledger(url, name);
        assertEquals(10, count(ledger, "done"));
        ledger.values().forEach(r -> assertEquals("1", r.get(1), "a trial was claimed twice: " + ledger));
        Map<String, Long> perWorker = new HashMap<>();
        ledger.values().forEach(r -> perWorker.merge(r.get(3), 1L, Long::sum));
        assertEquals(2, perWorker.size(), "both workers ran trials: " + perWorker);
        Path reports = dir.resolve("reports/" + name);
        assertTrue(Files.readString(reports.resolve("index.html")).contains("</html>"), "a whole report");
        try (var files = Files.list(reports)) {
            List<String> tmp = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".tmp")).toList();
            assertEquals(List.of(), tmp, "no temp file left behind");
        }
        assertTrue(Files.readString(reports.resolve("index.html")).contains("10 of 10 trials done"), "the last page is the final state");
        for (String log : List.of(logA, logB)) {
            assertTrue(!log.contains("report not written"), "both workers wrote the report:\n" + log);
            if (url.contains(TEST_PASSWORD)) {
                assertTrue(!log.contains(TEST_PASSWORD), "a password was printed:\n" + log);
            }
        }
    }

    /** A password no output may show (the PostgreSQL test's URL carries it, see .ci/run). */
    static final String TEST_PASSWORD = "kd-secret";

    @Test
    void twoWorkersOnH2FinishTogether() throws Exception {
        twoWorkersFinishTogether("pair");
    }

    @Test
    void twoWorkersOnPostgresqlFinishTogether() throws Exception {
        String url = org.kdharness.TestPostgres.url();
        assertTrue(url.contains(TEST_PASSWORD), "the test URL carries the password the outputs must not show");
        // a sweep name of its own: the database outlives this test
        twoWorkersFinishTogether("pg" + System.currentTimeMillis(), "--jdbc-url", url);
    }

    @Test
    void everyTrialPrintedDoneSurvivesAKillRightAfterIt() throws Exception {
        // fast trials on the hand-written path, so several finish within H2's default write delay
        Path file = dir.resolve("durable.yaml");
        Files.writeString(file, TinySweep.yaml("durable", """
                sweep:
                  methods: [baseline, response]
                  temperature: [2, 4]
                  alpha: [0.5, 0.9]
                  seeds: [1, 2]
                """));
        Process p = worker(file, "durable.log");
        Path log = dir.resolve("durable.log");
        List<String> printed = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && printed.size() < 4 && p.isAlive()) {
            printed.clear();
            for (String line : Files.readAllLines(log)) {
                String l = line.replace("\r", "").replaceAll("\u001B\\[K", "").trim();
                if (l.startsWith("done ")) {
                    printed.add(l.split("\\s+")[1]);
                }
            }
            Thread.sleep(5);
        }
        p.destroyForcibly(); // SIGKILL right after the 4th "done" line
        p.waitFor(30, TimeUnit.SECONDS);
        assertTrue(printed.size() >= 4, "the worker printed " + printed + " before it ended: " + Files.readString(log));
        Map<String, List<String>> ledger = ledger("durable");
        for (String id : printed) {
            assertEquals("done", ledger.containsKey(id) ? ledger.get(id).get(0) : "absent",
                    "trial " + id + " was printed done; the store has " + ledger);
        }
    }
}
