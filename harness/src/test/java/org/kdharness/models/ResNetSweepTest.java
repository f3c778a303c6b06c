package org.kdharness.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;
import org.kdharness.sweep.Workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resnet teacher distilled into a resnet student end to end: baseline, response, feature KD on named stage taps (one
 * many-to-one), and the learned association over every stage tap.
 */
class ResNetSweepTest {

    @TempDir
    Path dir;

    @Test
    void aResNetPairRunsEveryKindOfTrialOnNamedTaps() throws Exception {
        Path config = dir.resolve("res.yaml");
        Files.writeString(config, TinySweep.yaml("res", """
                sweep:
                  methods: [baseline, response, feature, association]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                    - [{student: stage3, teacher: stage3}]
                    - [{student: pool, teacher: [stage3, pool]}]
                    - [{student: stage2, teacher: stage1}, {student: stage3, teacher: [stage2, stage3]}]
                  seeds: [1]
                """).replace("model: {type: mlp, hidden: [48, 32]}", "model: {type: resnet, depth: 14, width: 1}")
                .replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: resnet, depth: 8, width: 1}")
                // 3 steps of training: PyTorch's running statistics (momentum 0.1) would still be near 0 and 1 at inference
                .replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 1, batch_size: 64, batch_norm: precise}")
                .replace("train_limit: 600", "train_limit: 256"));
        Path reports = dir.resolve("reports");
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports.toString()));
        List<TrialRow> trials;
        try (MetricsStore store = MetricsStore.open(Workspace.defaultStore(reports.resolve("res").toAbsolutePath()))) {
            trials = store.trials("res");
        }
        assertEquals(6, trials.size());
        for (TrialRow t : trials) {
            assertEquals("done", t.status(), t.trialId() + " " + t.reason());
            // the layer engine for every method (the association's tap loss differentiated by SameDiff on the engine's taps)
            assertEquals("layers", t.provenance().engine(), t.method() + " " + t.mapping());
            assertTrue(t.metric("test_accuracy") > 0.1, t.variant() + " learned something: " + t.metric("test_accuracy"));
        }
        assertEquals(List.of("s3<-t3", "s4<-t3+t4", "s2<-t1,s3<-t2+t3"),
                trials.stream().filter(t -> t.mapping() != null).map(TrialRow::mapping).toList(), "named taps resolve to their numbers");
        assertTrue(trials.stream().anyMatch(t -> t.metric("projection_params") > 0), "stage maps of other widths are projected");
        // the learned association on the stage taps and the pooled features: each student tap's attention over the teacher's sums to 1
        TrialRow association = trials.stream().filter(t -> t.method().equals("association")).findFirst().orElseThrow();
        for (int l = 1; l <= 4; l++) {
            double mass = 0;
            for (int j = 1; j <= 4; j++) {
                mass += association.metric("val_association_s" + l + "_t" + j);
            }
            assertEquals(1.0, mass, 1e-5, "student tap " + l);
        }
        String html = Files.readString(reports.resolve("res/index.html"));
        assertTrue(html.contains("resnet8") && html.contains("feature"), "the report shows the pair");
    }
}
