package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A store that cannot be opened fails the run before any training, and its password is never printed. */
class StoreFaultsTest {

    @TempDir
    Path dir;

    @Test
    void unreachableStoreFailsBeforeTheTeacherIsTrained() throws Exception {
        Path config = TinySweep.write(dir, "faults", TinySweep.SMALL_GRID);
        long t0 = System.nanoTime();
        CliRun.Result r = CliRun.run("run", config.toString(), "--reports", dir.resolve("reports").toString(),
                "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/none?user=kd&password=hunter2");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("cannot open metrics store") && r.err().contains("password=***"), r.err());
        assertFalse((r.out() + r.err()).contains("hunter2"), "password printed:\n" + r.out() + r.err());
        assertFalse(r.out().contains("training"), "nothing is trained before the store is open:\n" + r.out());
        assertFalse(Files.exists(dir.resolve("reports/.teachers")) && Files.list(dir.resolve("reports/.teachers")).findAny().isPresent(),
                "no teacher was cached");
        assertTrue(seconds < 60, "fails fast: " + seconds + " s");
    }

    @Test
    void wrongPasswordOnH2IsMasked() throws Exception {
        Path config = TinySweep.write(dir, "pw", TinySweep.SMALL_GRID);
        String url = "jdbc:h2:file:" + dir.resolve("pw-store") + ";AUTO_SERVER=TRUE";
        try (org.kdharness.store.MetricsStore store = org.kdharness.store.MetricsStore.open(url)) {
            store.upsertSweep("pw", "name: pw\n");
        }
        CliRun.Result r = CliRun.run("status", config.toString(), "--jdbc-url", url + ";PASSWORD=hunter2");
        assertFalse((r.out() + r.err()).contains("hunter2"), "password printed:\n" + r.out() + r.err());
        assertEquals(1, r.code(), "a wrong password is refused: " + r.out() + r.err());
        assertTrue(r.err().contains("PASSWORD=***"), "the URL is shown, masked: " + r.err());
    }

    @Test
    void aStoreLockedByAnotherProcessIsOneLine() throws Exception {
        Path config = TinySweep.write(dir, "locked", TinySweep.SMALL_GRID);
        Path db = dir.resolve("reports/locked/metrics");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.kdharness.HoldDatabase",
                "jdbc:h2:file:" + db).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
            assertEquals("holding", out.readLine());
            CliRun.Result r = CliRun.run("status", config.toString(), "--reports", dir.resolve("reports").toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace:\n" + r.err());
            assertTrue(r.err().contains("cannot open metrics store") && r.err().contains("already in use"), r.err());
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }

    @Test
    void aPasswordInTheConfigIsNeitherStoredNorReported() throws Exception {
        // a commented-out PostgreSQL URL: the YAML is stored in the store and shown in the report
        Path config = dir.resolve("secret.yaml");
        Files.writeString(config, TinySweep.yaml("secret", """
                sweep:
                  methods: [baseline]
                  seeds: [1]
                # store: {jdbc_url: "jdbc:postgresql://db/kd?user=kd&password=hunter2"}
                """));
        CliRun.Result r = CliRun.run("run", config.toString(), "--reports", dir.resolve("reports").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String page = Files.readString(dir.resolve("reports/secret/index.html"));
        assertTrue(page.contains("password=***") && !page.contains("hunter2"), "the report shows the config masked");
        try (org.kdharness.store.MetricsStore store = org.kdharness.store.MetricsStore.open(
                "jdbc:h2:file:" + dir.resolve("reports/secret/metrics") + ";AUTO_SERVER=TRUE")) {
            String stored = store.sweepYaml("secret").orElseThrow();
            assertFalse(stored.contains("hunter2"), stored);
        }
        CliRun.Result typo = CliRun.run("run", config.toString(), "--jdbc_url=jdbc:postgresql://db/kd?password=hunter2");
        assertEquals(2, typo.code());
        assertFalse((typo.out() + typo.err()).contains("hunter2"), "a mistyped option is echoed masked:\n" + typo.err());
    }
}
