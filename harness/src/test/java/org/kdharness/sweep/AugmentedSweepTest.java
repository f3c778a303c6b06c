package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.config.SweepConfig;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;
import org.kdharness.teacher.TeacherCache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep with {@code dataset.augment: standard}: its own teacher and trial ids, and every method trains on augmented epochs. */
class AugmentedSweepTest {

    @TempDir
    Path dir;

    @Test
    void augmentationIsPartOfTheDatasetAndEveryMethodTrainsWithIt() throws Exception {
        String plain = TinySweep.yaml("aug", TinySweep.SMALL_GRID);
        String augmented = plain.replace("  validation_fraction: 0.2", "  validation_fraction: 0.2\n  augment: standard");
        assertNotEquals(plain, augmented);
        SweepConfig a = new ConfigLoader().parse(augmented, "a.yaml").config(), p = new ConfigLoader().parse(plain, "p.yaml").config();
        assertTrue(a.dataset().augmented());
        assertNotEquals(TeacherCache.key(p.dataset(), p.teacher()), TeacherCache.key(a.dataset(), a.teacher()),
                "a teacher trained on augmented epochs is another teacher");
        assertNotEquals(SweepPlan.expand(p).trials().get(0).id(), SweepPlan.expand(a).trials().get(0).id());
        assertEquals("dataset.augment", org.junit.jupiter.api.Assertions.assertThrows(org.kdharness.config.ConfigException.class,
                () -> new ConfigLoader().parse(plain.replace("  validation_fraction: 0.2", "  validation_fraction: 0.2\n  augment: mixup"),
                        "b.yaml")).field());

        Path config = dir.resolve("aug.yaml");
        Files.writeString(config, augmented);
        Path reports = dir.resolve("reports");
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports.toString()));
        List<TrialRow> trials;
        try (MetricsStore store = MetricsStore.open(Workspace.defaultStore(reports.resolve("aug").toAbsolutePath()))) {
            trials = store.trials("aug");
        }
        assertEquals(SweepPlan.expand(a).trials().size(), trials.size());
        trials.forEach(t -> assertEquals("done", t.status(), t.trialId() + " " + t.reason()));
        assertTrue(trials.stream().anyMatch(t -> t.mapping() != null), "feature KD on per-epoch teacher layers too");
    }
}
