package org.kdharness.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.sweep.SweepPlan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kd slurm --submit} on a real Slurm cluster (single node, slurmctld + slurmd on
 * localhost, which {@code .ci/run} installs and starts) over a real PostgreSQL store: a
 * 2-task array of a small sweep, every trial done exactly once, and the report job after it.
 * Skipped where no cluster or PostgreSQL answers, except under {@code CI=true}.
 */
class SlurmClusterTest {

    @TempDir
    Path dir;

    private static String output(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 ? out : "";
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void aTwoTaskArrayRunsEveryTrialOnceAndThenTheReport() throws Exception {
        boolean cluster = output("sinfo", "-h", "-o", "%T").matches("(?s).*(idle|mixed|allocated).*");
        String pg = org.kdharness.TestPostgres.urlIfAny();
        if (System.getenv("CI") != null) {
            assertTrue(cluster, "a Slurm cluster must answer in CI (.ci/run installs and starts one)");
        }
        Assumptions.assumeTrue(cluster && pg != null, "no Slurm cluster or PostgreSQL here: check skipped");

        String name = "slurm-" + System.nanoTime();
        Path config = TinySweep.write(dir, name, TinySweep.SMALL_GRID);
        // the tasks start this build's classes, as WorkerProcessTest's workers do (no build inside a job)
        Path launcher = dir.resolve("kd-launcher");
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Files.writeString(launcher, "#!/bin/sh\nexport OMP_NUM_THREADS=1\nexec '" + javaCommand + "' -Xmx1g -Dorg.bytedeco.javacpp.platform.extension="
                + System.getProperty("org.bytedeco.javacpp.platform.extension", "-onednn") + " -cp '" + System.getProperty("java.class.path")
                + "' org.kdharness.cli.Main \"$@\"\n");
        launcher.toFile().setExecutable(true);
        Path reports = dir.resolve("reports");
        CliRun.Result r = CliRun.run("slurm", config.toString(), "--reports", reports.toString(), "--jdbc-url", pg, "--tasks", "2",
                "--cpus", "1", "--submit", "--launcher", launcher.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        Matcher ids = Pattern.compile("submitted array job (\\d+) and report job (\\d+)").matcher(r.out());
        assertTrue(ids.find(), r.out());

        String jobs = ids.group(1) + "," + ids.group(2);
        try {
            long deadline = System.nanoTime() + 300_000_000_000L;
            // squeue must answer (exit 0, so a hiccup is not "finished") and list neither job
            while (!new ProcessBuilder("squeue", "-h", "-j", jobs).start().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)
                    || !output("squeue", "-h", "-j", jobs).isBlank() || output("sinfo", "-h").isBlank()) {
                assertTrue(System.nanoTime() < deadline, "the jobs did not finish within 5 minutes:\n" + output("squeue"));
                Thread.sleep(1000);
            }
        } finally {
            output("scancel", ids.group(1), ids.group(2));
        }

        int planned = SweepPlan.expand(new ConfigLoader().load(config).config()).trials().size();
        List<TrialRow> trials;
        try (MetricsStore store = MetricsStore.open(pg)) {
            trials = store.trials(name);
        }
        assertEquals(planned, trials.size());
        assertTrue(trials.stream().allMatch(t -> t.status().equals("done")), "every trial done: " + trials.stream().map(TrialRow::status).toList());
        // exactly once: over both tasks' logs, every trial id is reported done once
        Map<String, Integer> doneLines = new TreeMap<>();
        Path slurm = reports.resolve(name).resolve("slurm");
        List<String> logs = new ArrayList<>();
        for (int task = 0; task < 2; task++) {
            String log = Files.readString(slurm.resolve("task-" + task + ".log"));
            logs.add(log);
            log.lines().filter(l -> l.startsWith("done ")).forEach(l -> doneLines.merge(l.split("\\s+")[1], 1, Integer::sum));
        }
        assertEquals(planned, doneLines.size(), String.join("\n----\n", logs));
        assertTrue(doneLines.values().stream().allMatch(n -> n == 1), "a trial ran twice: " + doneLines);
        assertTrue(logs.stream().noneMatch(l -> l.contains("\r")), "task logs are plain lines");
        // each trial claimed once in the store (attempts), and the password in no script or log
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg);
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT attempts FROM trial WHERE sweep = '" + name + "'")) {
            while (rs.next()) {
                assertEquals(1, rs.getInt(1), "a trial was claimed more than once");
            }
        }
        String password = org.kdharness.store.Credentials.password(pg);
        for (Path f : List.of(slurm.resolve("array.sbatch"), slurm.resolve("report.sbatch"), slurm.resolve("report.log"),
                slurm.resolve("task-0.log"), slurm.resolve("task-1.log"))) {
            assertTrue(password == null || !Files.readString(f).contains(password), "the password is in " + f);
        }
        // the report job ran after the array and wrote the report of every trial
        Path html = reports.resolve(name).resolve("index.html");
        assertTrue(Files.isRegularFile(html), Files.readString(slurm.resolve("report.log")));
        assertTrue(java.nio.file.Files.getLastModifiedTime(html).toMillis()
                >= java.nio.file.Files.getLastModifiedTime(slurm.resolve("task-0.log")).toMillis(), "the report came after the array");
    }
}
