package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    void finiteButDivergingLossFailsWithWhatWasSeen() throws Exception {
        // learning rate 1e6: the loss stays finite (~1e5) while accuracy sits at chance
        List<TrialRow> rows = run("lr", TinySweep.yaml("lr", """
                sweep:
                  methods: [baseline, response]
                  temperature: [4]
                  alpha: [0.5]
                  learning_rate: [1000000]
                  seeds: [1]
                """), 3);
        assertEquals(2, rows.size());
        for (TrialRow t : rows) {
            assertEquals("failed", t.status(), t.method() + " " + t.metrics());
            assertTrue(t.reason().startsWith("diverged: ") && t.reason().contains("its value before training"), t.reason());
        }
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
        // 2x14x14 student map onto a 4x14x14 teacher map: a 1x1 convolution, 2x4 weights + 4 biases
        assertEquals(2 * 4 + 4, t.metric("projection_params"));
        // deployed student: conv 3x3x1x2 + 2, dense 392x8 + 8, out 8x10 + 10
        assertEquals(18 + 2 + 392 * 8 + 8 + 80 + 10, t.metric("student_params"));
        assertEquals("layers", t.provenance().engine(), "a hint on a conv map trains on the layer engine");
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

    @Test
    void relationMethodsAndTransferDataRun() throws Exception {
        List<TrialRow> rows = run("rel", TinySweep.yaml("rel", """
                sweep:
                  methods: [baseline, relation]
                  temperature: [4]
                  alpha: [0.5]
                  distance: [mse, sp, rkd_distance]
                  mappings:
                    - [{student: 2, teacher: 2}]
                  labelled_fraction: [0.1, 1.0]
                  seeds: [1]
                """), 0);
        // baseline x 2 fractions + relation x 2 relation distances x 2 fractions; mse is not a relation distance
        assertEquals(6, rows.size());
        for (TrialRow t : rows) {
            assertEquals("done", t.status(), t.reason());
            double expected = t.labelledFraction() == null ? 480 : 48;
            assertEquals(expected, t.metric("labelled_examples"), t.trialId());
        }
        assertEquals(List.of("sp", "rkd_distance"), rows.stream().filter(r -> r.method().equals("relation"))
                .map(TrialRow::distance).distinct().toList());
        // provenance: every term here (hard CE, soft KL, SP, RKD distance) has a hand gradient, so all step by hand,
        // and every trial names the run that finished it
        for (TrialRow t : rows) {
            assertEquals("layers", t.provenance().engine(), t.method() + " " + t.distance());
            assertTrue(t.provenance().runId() != null && !t.provenance().runId().isEmpty());
        }
    }

    @Test
    void graphAndLayersEngineSettingsTrainThroughThem() throws Exception {
        String grid = """
                sweep:
                  methods: [baseline, response]
                  temperature: [4]
                  alpha: [0.5]
                  seeds: [1]
                """;
        List<TrialRow> auto = run("auto", TinySweep.yaml("auto", grid), 0);
        List<TrialRow> graph = run("graph", TinySweep.yaml("graph", grid + "runtime:\n  engine: graph\n"), 0);
        List<TrialRow> layers = run("layers", TinySweep.yaml("layers", grid + "runtime:\n  engine: layers\n"), 0);
        assertEquals(2, graph.size());
        assertEquals(2, layers.size());
        for (int i = 0; i < 2; i++) {
            assertEquals("layers", auto.get(i).provenance().engine());
            assertEquals("graph", graph.get(i).provenance().engine());
            assertEquals("layers", layers.get(i).provenance().engine());
            // same trial ids (the engine is not part of them) and, within float noise, the same result
            for (TrialRow other : List.of(graph.get(i), layers.get(i))) {
                assertEquals(auto.get(i).trialId(), other.trialId());
                assertEquals(auto.get(i).metric("final_train_loss"), other.metric("final_train_loss"),
                        1e-3 * Math.abs(other.metric("final_train_loss")), other.provenance().engine());
            }
        }
    }

    @Test
    void impossibleMappingFailsBeforeAnythingIsWritten() throws Exception {
        Path config = dir.resolve("att.yaml");
        Files.writeString(config, TinySweep.yaml("att", """
                sweep:
                  methods: [feature]
                  distance: [attention]
                  mappings:
                    - [{student: 2, teacher: 2}]
                """));
        // plan runs the checks run makes before training: both name the file, line and field
        for (String command : List.of("plan", "run")) {
            CliRun.Result r = CliRun.run(command, config.toString(), "--reports", dir.resolve("reports").toString());
            assertEquals(2, r.code(), command + ": " + r.out() + r.err());
            assertTrue(r.err().contains("att.yaml:15: sweep.distance[0]: distance 'attention' compares conv feature maps,"
                    + " but mapping s2<-t2 pairs s2<-t2 where a side is not a feature map (maps: student none, teacher none)"),
                    command + ": " + r.err());
        }
        assertTrue(!Files.exists(dir.resolve("reports/att")), "nothing written");
    }

    @Test
    void ckaTopKChoosesMappingsAndTheReportJudgesThem() throws Exception {
        Path config = dir.resolve("cka.yaml");
        Files.writeString(config, TinySweep.yaml("cka", """
                sweep:
                  methods: [feature]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                    - {generator: cka-top-k, k: 3, sample: 100}
                  seeds: [1]
                """).replace("hidden: [48, 32]", "hidden: [48, 32, 24]"));
        assertEquals(0, Main.execute("run", config.toString(), "--reports", dir.resolve("reports").toString()));
        List<TrialRow> rows;
        Map<String, double[][]> cka;
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/cka/metrics").toAbsolutePath())) {
            rows = store.trials("cka");
            cka = store.cka("cka");
        }
        // student 2 hidden layers, teacher 3: 3 one-to-one + 2 many-to-one candidates, top 3 run
        assertEquals(1, cka.size());
        double[][] m = cka.values().iterator().next();
        assertEquals(2, m.length);
        assertEquals(3, m[0].length);
        assertEquals(3, rows.size());
        for (double[] row : m) {
            for (double v : row) {
                assertTrue(v >= 0 && v <= 1 + 1e-9, "CKA in [0, 1]: " + v);
            }
        }
        List<Map.Entry<org.kdharness.config.LayerMapping, Double>> ranked = org.kdharness.advise.MappingAdvisor.rank(m);
        assertEquals(ranked.stream().limit(3).map(e -> e.getKey().name()).toList(),
                rows.stream().map(TrialRow::mapping).toList(), "the sweep runs the top-k by CKA, in rank order");
        String html = Files.readString(dir.resolve("reports/cka/index.html"));
        int at = html.indexOf("cka-spearman");
        assertTrue(html.contains("Spearman ρ over 3 mappings"), "report judges the CKA ranking against the measured one: "
                + (at < 0 ? "no CKA section" : html.substring(at, Math.min(html.length(), at + 120))));
        assertTrue(Pattern.compile("Spearman ρ over 3 mappings: <b>-?[01]\\.\\d{3} \\(p = (&lt;)?[0-9.]+, n = 3\\)</b>").matcher(html).find(),
                html.substring(at, Math.min(html.length(), at + 160)));
        // each run mapping with its CKA score, as the advisor scores it from the stored matrix
        for (TrialRow t : rows) {
            double score = org.kdharness.advise.MappingAdvisor.score(org.kdharness.config.LayerMapping.parse(t.mapping()), m);
            assertTrue(html.contains("<tr><td>" + t.mapping().replace("<", "&lt;") + "</td><td class=\"num\">"
                    + String.format(java.util.Locale.ROOT, "%.3f", score) + "</td>"), t.mapping() + " with CKA " + score);
        }
    }

    @Test
    void retryFailedAndShards() throws Exception {
        Path config = dir.resolve("retry.yaml");
        Files.writeString(config, TinySweep.yaml("retry", """
                sweep:
                  methods: [baseline, response]
                  temperature: [1.0e-38, 2]
                  alpha: [0.5]
                  seeds: [1, 2]
                """));
        String reports = dir.resolve("reports").toString();
        // shard 0 of 2 runs only the trials at even plan positions: 3 of 6
        assertEquals(3, Main.execute("run", config.toString(), "--reports", reports, "--no-report", "--shard", "0/2"));
        String url = "jdbc:h2:file:" + dir.resolve("reports/retry/metrics").toAbsolutePath();
        try (MetricsStore store = MetricsStore.open(url)) {
            for (TrialRow t : store.trials("retry")) {
                assertEquals(t.ordinal() % 2 == 0, !t.status().equals("pending"), t.ordinal() + " " + t.status());
            }
        }
        assertEquals(3, Main.execute("run", config.toString(), "--reports", reports, "--no-report"));
        java.util.Map<String, String> finished = new java.util.HashMap<>();
        try (MetricsStore store = MetricsStore.open(url)) {
            List<TrialRow> rows = store.trials("retry");
            assertEquals(4, rows.stream().filter(r -> r.status().equals("done")).count());
            assertEquals(2, rows.stream().filter(r -> r.status().equals("failed")).count(), "the two T=1e-38 trials diverge");
        }
        // a plain rerun leaves failed trials alone; --retry-failed runs them again (and they fail again)
        assertEquals(3, Main.execute("run", config.toString(), "--reports", reports, "--no-report"));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT status, attempts FROM trial WHERE status = 'failed'")) {
            while (rs.next()) {
                assertEquals(1, rs.getInt(2), "failed trials are not retried without --retry-failed");
            }
        }
        assertEquals(3, Main.execute("run", config.toString(), "--reports", reports, "--no-report", "--retry-failed"));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT status, attempts FROM trial ORDER BY ordinal")) {
            while (rs.next()) {
                assertEquals(rs.getString(1).equals("failed") ? 2 : 1, rs.getInt(2), "only failed trials ran again");
            }
        }
    }
}
