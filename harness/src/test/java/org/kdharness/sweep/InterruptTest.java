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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@code kd run} stopped by SIGINT (Ctrl-C) or SIGTERM (Slurm's pre-emption) in the middle of a sweep: the first
 * signal returns the running trial to pending, writes the report, prints the resume line and exits 130, leaving no
 * {@code running} trial and no H2 trace file; a second signal quits at once; either way a rerun finishes every trial
 * exactly once.
 */
class InterruptTest {

    @TempDir
    Path dir;

    /** Trials of the sweep below: 2 baseline seeds, 2 temperatures x 2 seeds of response. */
    private static final int TRIALS = 6;

    /** CNN trials of a second or two each on the layer engine: a signal lands while one trains. */
    private Path config(String name) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, TinySweep.yaml(name, """
                sweep:
                  methods: [baseline, response]
                  temperature: [2, 4]
                  alpha: [0.5]
                  seeds: [1, 2]
                """)
                .replace("train_limit: 600", "train_limit: 2000")
                .replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: cnn, conv: [{filters: 8}], hidden: [16]}")
                .replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 6, batch_size: 32}"));
        return file;
    }

    /** The store as the test polls it: no trace file of its own (its first queries come before the schema exists). */
    private String url(String name) {
        return "jdbc:h2:file:" + dir.resolve("reports/" + name + "/metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE;TRACE_LEVEL_FILE=0";
    }

    /** trial_id to {status, attempts, finished_at}. */
    private Map<String, List<String>> ledger(String name) throws SQLException {
        Map<String, List<String>> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url(name), "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT trial_id, status, attempts, finished_at FROM trial WHERE sweep = '"
                     + name + "'")) {
            while (rs.next()) {
                out.put(rs.getString(1), List.of(rs.getString(2), rs.getString(3), String.valueOf(rs.getString(4))));
            }
        }
        return out;
    }

    private static long count(Map<String, List<String>> ledger, String status) {
        return ledger.values().stream().filter(r -> r.get(0).equals(status)).count();
    }

    /**
     * Starts the sweep and waits until its output shows two trials done (the third is then claimed at once). The test
     * reads the output, not the store, while the sweep runs: a second process opening an H2 file store that another is
     * opening writes a lock message into the very trace file this test asserts is absent.
     */
    private Process startAndWait(String name, Path config) throws Exception {
        Process p = WorkerProcesses.start(dir, config, name + ".log");
        Path log = dir.resolve(name + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(50);
            if (ended(Files.readString(log)) >= 2) {
                Thread.sleep(300);
                return p;
            }
        }
        throw new AssertionError("the sweep never had 2 trials done: " + Files.readString(log));
    }

    /** The lines that end a trial: done, or pruned under ASHA. */
    private static long ended(String log) {
        return log.lines().filter(l -> l.startsWith("done ") || l.startsWith("pruned ")).count();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static void signal(Process p, String name) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).start().waitFor());
    }

    private void assertRerunFinishesTheRest(String name, Path config, Map<String, List<String>> before) throws Exception {
        assertEquals(0, Main.execute("run", config.toString(), "--reports", dir.resolve("reports").toString(), "--no-report"));
        Map<String, List<String>> after = ledger(name);
        assertEquals(TRIALS, count(after, "done"), after.toString());
        before.forEach((id, r) -> {
            if (r.get(0).equals("done")) {
                assertEquals(r, after.get(id), "done trial " + id + " was run again");
            } else {
                assertEquals(Integer.parseInt(r.get(1)) + 1, Integer.parseInt(after.get(id).get(1)),
                        "trial " + id + " (" + r.get(0) + " before) ran once more");
            }
        });
    }

    @Test
    void firstSignalReturnsRunningTrialsWritesTheReportAndPrintsTheResumeLine() throws Exception {
        for (String sig : List.of("INT", "TERM")) {
            String name = "stop" + sig.toLowerCase(java.util.Locale.ROOT);
            Path config = config(name);
            Process p = startAndWait(name, config);
            signal(p, sig);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit after SIG" + sig);
            String log = Files.readString(dir.resolve(name + ".log"));
            assertEquals(130, p.exitValue(), log);
            Map<String, List<String>> before = ledger(name);
            assertEquals(0, count(before, "running"), "a trial left running: " + before);
            long done = count(before, "done");
            assertTrue(done >= 2 && done < TRIALS, before.toString());
            assertEquals(TRIALS - done, count(before, "pending"));
            assertTrue(log.contains("kd: SIG" + sig + ": stopping"), log);
            assertTrue(log.contains("stopped " ) && log.contains(": back to pending"), "the running trial went back: " + log);
            String resume = log.lines().filter(l -> l.startsWith("stopped on request: ")).findFirst().orElseThrow(() -> new AssertionError(log));
            assertTrue(resume.startsWith("stopped on request: " + done + "/" + TRIALS + " done, "), resume);
            assertTrue(resume.matches(".*resume with: (\\S*/)?kd run .*") && resume.endsWith("kd run " + config + " --reports " + dir.resolve("reports")), resume);
            assertTrue(Files.exists(dir.resolve("reports/" + name + "/index.html")), "the report of what is done");
            Path trace = dir.resolve("reports/" + name + "/metrics.trace.db");
            assertFalse(Files.exists(trace), () -> "H2 wrote a trace: " + readQuietly(trace));
            assertRerunFinishesTheRest(name, config, before);
        }
    }

    @Test
    void underAshaNoRungIsDecidedOnTheSeedsThatHappenedToArrive() throws Exception {
        // whole configurations (both seeds) train side by side and meet at rungs at epochs 1, 2, 4
        Path config = dir.resolve("asha.yaml");
        Files.writeString(config, Files.readString(config("ashabase"))
                .replace("name: ashabase", "name: asha")
                .replace("  seeds: [1, 2]\n", "  seeds: [1, 2]\n  search: {strategy: asha, min_epochs: 1, reduction_factor: 2}\n"));
        Process p = startAndWait("asha", config);
        signal(p, "INT");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit after SIGINT");
        assertEquals(130, p.exitValue(), Files.readString(dir.resolve("asha.log")));
        Map<String, List<String>> before = ledger("asha");
        assertEquals(0, count(before, "running"), before.toString());
        // every stored decision rests on every seed of its configuration: each reached the rung's epoch
        try (Connection c = DriverManager.getConnection(url("asha"), "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT r.config_key, r.epoch, (SELECT COUNT(*) FROM trial t WHERE"
                     + " t.sweep = r.sweep AND t.config_key = r.config_key), (SELECT COUNT(*) FROM trial t JOIN epoch_metric e ON"
                     + " e.sweep = t.sweep AND e.trial_id = t.trial_id WHERE t.sweep = r.sweep AND t.config_key = r.config_key"
                     + " AND e.epoch = r.epoch AND e.name = 'epoch') FROM asha_rung r WHERE r.sweep = 'asha'")) {
            while (rs.next()) {
                assertEquals(rs.getInt(3), rs.getInt(4), "configuration " + rs.getString(1) + " decided at epoch " + rs.getInt(2)
                        + " on " + rs.getInt(4) + " of its " + rs.getInt(3) + " seeds");
            }
        }
        assertEquals(0, Main.execute("run", config.toString(), "--reports", dir.resolve("reports").toString(), "--no-report"));
        Map<String, List<String>> after = ledger("asha");
        assertEquals(TRIALS, count(after, "done") + count(after, "pruned"), after.toString());
    }

    @Test
    void aSecondSignalQuitsAtOnceAndTheStoreStaysConsistent() throws Exception {
        Path config = config("twice");
        Process p = startAndWait("twice", config);
        signal(p, "INT");
        signal(p, "INT");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "no exit after the second SIGINT");
        assertEquals(130, p.exitValue(), Files.readString(dir.resolve("twice.log")));
        Map<String, List<String>> before = ledger("twice");
        assertEquals(TRIALS, before.size());
        assertRerunFinishesTheRest("twice", config, before);
    }
}
