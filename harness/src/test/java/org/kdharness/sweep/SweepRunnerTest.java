package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sweeps that must survive a diverging trial, train CNNs and many-to-one mappings. */
class SweepRunnerTest {

    @TempDir
    Path dir;

    private List<TrialRow> run(String name, String yaml, int expectedExit) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        int code = Main.execute("run", config.toString(), "--reports", dir.resolve("reports").toString(), "--no-report");
        assertEquals(expectedExit, code);
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/" + name + "/metrics").toAbsolutePath())) {
            return store.trials(name);
        }
    }

    @Test
    void divergingTrialFailsWithReasonWhileOthersFinish() throws Exception {
        // logits / 1e-38 overflow float32: the soft loss becomes NaN
        List<TrialRow> rows = run("nan", TinySweep.yaml("nan", """
                sweep:
                  methods: [baseline, response]
                  temperature: [1.0e-38]
                  alpha: [0.5]
                  seeds: [1]
                """), 3);
        assertEquals(2, rows.size());
        TrialRow baseline = rows.stream().filter(r -> r.method().equals("baseline")).findFirst().orElseThrow();
        TrialRow response = rows.stream().filter(r -> r.method().equals("response")).findFirst().orElseThrow();
        assertEquals("done", baseline.status());
        assertEquals("failed", response.status());
        assertTrue(response.reason().contains("non-finite"), response.reason());
    }

    @Test
    void cnnFeatureDistillationOnConvMapsRuns() throws Exception {
        String yaml = TinySweep.yaml("cnn", """
                sweep:
                  methods: [feature]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                    - [{student: 1, teacher: 1}]
                  seeds: [1]
                """).replace("model: {type: mlp, hidden: [48, 32]}", "model: {type: cnn, conv: [{filters: 4}], hidden: [16]}")
                .replace("model: {type: mlp, hidden: [16, 8]}", "model: {type: cnn, conv: [{filters: 2}], hidden: [8]}");
        TrialRow t = run("cnn", yaml, 0).get(0);
        assertEquals("done", t.status(), t.reason());
        // 2x14x14 student map projected onto 4x14x14 teacher map: (392 + 1) x 784 parameters
        assertEquals(393.0 * 784, t.metric("projection_params"));
        // deployed student: conv 3x3x1x2 + 2, dense 392x8 + 8, out 8x10 + 10
        assertEquals(18 + 2 + 392 * 8 + 8 + 80 + 10, t.metric("student_params"));
    }

    @Test
    void manyToOneMappingTrainsAndReducesItsHintLoss() throws Exception {
        String yaml = TinySweep.yaml("m2o", """
                sweep:
                  methods: [feature]
                  temperature: [4]
                  alpha: [0.5]
                  w_feature: [0.0, 0.8]
                  mappings:
                    - [{student: 2, teacher: [1, 2]}]
                  seeds: [1]
                """).replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 4, batch_size: 64, learning_rate: 0.01}");
        List<TrialRow> rows = run("m2o", yaml, 0);
        assertEquals(2, rows.size());
        double[] lastHint = new double[2];
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/m2o/metrics").toAbsolutePath())) {
            for (TrialRow t : rows) {
                assertEquals("done", t.status(), t.reason());
                assertEquals("s2<-t1+t2", t.mapping());
                Map<Integer, Map<String, Double>> epochs = store.epochs("m2o", t.trialId());
                lastHint[t.wFeature() > 0 ? 1 : 0] = epochs.get(4).get("train_feature_m1");
                if (t.wFeature() > 0) {
                    double first = epochs.get(1).get("train_feature_m1");
                    assertTrue(epochs.get(4).get("train_feature_m1") < 0.9 * first,
                            "hint loss should fall: " + first + " -> " + epochs.get(4).get("train_feature_m1"));
                }
            }
        }
        // the hint gradient reaches student and projections: with w1 = 0 the hint is not learnt
        assertTrue(lastHint[1] < 0.8 * lastHint[0], "w1=0.8 " + lastHint[1] + " vs w1=0 " + lastHint[0]);
    }
}
