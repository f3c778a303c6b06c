package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calibrations kept per machine: what changes a key, what a second plan reads, what --recalibrate does. */
class CalibrationCacheTest {

    @TempDir
    Path dir;

    @Test
    void entriesAreKeyedByMachineAndEverythingTheyDependOn() {
        CalibrationCache cache = new CalibrationCache(dir.resolve("cal"), "cpu A", false);
        String key = cache.key("trial", "student mlp[16]", "response", 2);
        assertEquals(key, cache.key("trial", "student mlp[16]", "response", 2), "the same parts, the same key");
        assertNotEquals(key, cache.key("trial", "student mlp[16]", "response", 1), "trials side by side");
        assertNotEquals(key, cache.key("trial", "student mlp[32]", "response", 2), "the student");
        assertNotEquals(key, new CalibrationCache(dir.resolve("cal"), "cpu B", false).key("trial", "student mlp[16]", "response", 2),
                "another machine");
        assertFalse(cache.get(key).isPresent());
        int[] measured = {0};
        assertArrayEquals(new double[]{1.5, 2.25}, cache.computeIfAbsent(key, 2, () -> {
            measured[0]++;
            return new double[]{1.5, 2.25};
        }));
        assertArrayEquals(new double[]{1.5, 2.25}, cache.computeIfAbsent(key, 2, () -> {
            measured[0]++;
            return new double[]{9, 9};
        }), "read back, not measured again");
        assertEquals(1, measured[0]);
        // --recalibrate: measured again and overwritten
        CalibrationCache refresh = new CalibrationCache(dir.resolve("cal"), "cpu A", true);
        assertArrayEquals(new double[]{3, 4}, refresh.computeIfAbsent(key, 2, () -> new double[]{3, 4}));
        assertArrayEquals(new double[]{3, 4}, cache.get(key).orElseThrow());
        // an entry of the wrong length (damaged, or of another format) is measured again, never an error
        cache.put("trial-broken", 1);
        assertFalse(cache.stored("trial-broken", 2).isPresent());
        assertArrayEquals(new double[]{5, 6}, cache.computeIfAbsent("trial-broken", 2, () -> new double[]{5, 6}));
        assertFalse(CalibrationCache.none().get(key).isPresent(), "a cache that keeps nothing");
    }

    @Test
    void aSecondPlanReadsTheCalibrationsAndRecalibrateMeasuresAgain() throws Exception {
        Path config = TinySweep.write(dir, "cal", TinySweep.SMALL_GRID);
        String reports = dir.resolve("reports").toString();
        CliRun.Result first = CliRun.run("plan", config.toString(), "--reports", reports);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("; calibrated)") && !first.out().contains("earlier"), first.out());
        try (var files = Files.list(dir.resolve("reports/.calibration"))) {
            // the teacher, its outputs, the store and three kinds of trial (baseline, response, feature on one mapping)
            assertEquals(6, files.filter(f -> !f.toString().endsWith(".tmp")).count());
        }
        CliRun.Result second = CliRun.run("plan", config.toString(), "--reports", reports);
        long kinds = second.out().lines().filter(l -> l.contains(" each (")).count();
        assertEquals(3, kinds, second.out());
        assertEquals(kinds, second.out().lines().filter(l -> l.contains("calibrated earlier on this machine")).count(), second.out());
        // the same figures: the estimate's first line is identical but for the set-up's data load
        assertEquals(first.out().lines().filter(l -> l.contains(" each (")).map(l -> l.replace("; calibrated)", "")).toList(),
                second.out().lines().filter(l -> l.contains(" each (")).map(l -> l.replace("; calibrated earlier on this machine)", "")).toList());
        CliRun.Result again = CliRun.run("plan", config.toString(), "--reports", reports, "--recalibrate");
        assertTrue(again.out().contains("; calibrated)") && !again.out().contains("earlier"), again.out());
    }
}
