package org.kdharness.teacher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.cli.Main;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.sweep.Workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep distils from a teacher trained and exported by PyTorch ({@code datasets/onnx-teachers/resnet.onnx}): baseline,
 * response KD, and feature KD onto its exported stage taps (one mapping many-to-one), into a resnet8 trained here.
 */
class ImportedTeacherSweepTest {

    @TempDir
    Path dir;

    @Test
    void aSweepDistilsFromTheImportedTeacherOntoItsExportedTaps() throws Exception {
        Path onnx = Files.copy(OnnxTeacherTest.DIR.resolve("resnet.onnx"), dir.resolve("teacher.onnx"));
        Path config = Files.writeString(dir.resolve("imported.yaml"), ImportedTeacherConfigTest.yaml(onnx, "[stage1, stage2, stage3, pool]",
                ImportedTeacherConfigTest.MAPPINGS + "    - {generator: cka-top-k, k: 1}\n"));
        Path reports = dir.resolve("reports");
        // a CKA matrix of the right shape stored for another teacher (as if the file had been retrained): not reused
        double[][] stale = {{0.5, 0.5, 0.5, 0.5}, {0.5, 0.5, 0.5, 0.5}, {0.5, 0.5, 0.5, 0.5}, {0.5, 0.5, 0.5, 0.5}};
        try (MetricsStore store = MetricsStore.open(Workspace.defaultStore(reports.resolve("imported").toAbsolutePath()))) {
            store.upsertSweep("imported", "name: imported\n");
            store.putCka("imported", "resnet8", "another-teacher", stale);
        }
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports.toString()));

        List<TrialRow> trials;
        Map<String, Object> teacher;
        String key = TeacherCache.key(new ConfigLoader().load(config).config().dataset(), new ConfigLoader().load(config).config().teacher());
        try (MetricsStore store = MetricsStore.open(Workspace.defaultStore(reports.resolve("imported").toAbsolutePath()))) {
            trials = store.trials("imported");
            teacher = store.teacher(key).orElseThrow();
            double[][] measured = store.cka("imported", key).get("resnet8");
            assertEquals(4, measured.length, "CKA measured against this teacher's 4 taps");
            assertTrue(java.util.Arrays.stream(measured).flatMapToDouble(java.util.Arrays::stream).noneMatch(v -> v == 0.5),
                    "the stale matrix was measured again");
        }
        assertTrue(trials.size() >= 4, "baseline, response, two mappings and CKA's pick (unless it is one of them)");
        for (TrialRow t : trials) {
            assertEquals("done", t.status(), t.trialId() + " " + t.reason());
        }
        assertEquals(List.of("s3<-t3", "s3<-t2+t3"), trials.stream().filter(t -> t.mapping() != null).map(TrialRow::mapping).limit(2).toList());
        for (TrialRow t : trials.stream().filter(t -> t.mapping() != null).toList()) {
            assertTrue(t.metric("final_train_feature_loss1") > 0, t.mapping() + " trained on the teacher's exported maps: "
                    + t.metrics().keySet());
        }

        // the teacher's test accuracy is PyTorch's own on these 256 test images (from the logits torch wrote at export)
        DataSplits data = new DatasetLoader().load(new ConfigLoader().load(config).config().dataset());
        double[][] torch = Files.readAllLines(OnnxTeacherTest.DIR.resolve("resnet.logits.csv")).stream()
                .map(l -> java.util.Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray()).toArray(double[][]::new);
        int right = 0;
        for (int i = 0; i < 256; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = torch[i][c] > torch[i][best] ? c : best;
            }
            right += best == data.test().labels()[i] ? 1 : 0;
        }
        assertEquals(right / 256.0, ((Number) teacher.get("test_accuracy")).doubleValue(), 1e-12);
        try (OnnxTeacher t = new OnnxTeacher(onnx)) {
            assertEquals((double) t.parameterCount(), trials.get(0).metric("teacher_params"), "the compression ratio counts the file's weights");
        }
        String html = Files.readString(reports.resolve("imported/index.html"));
        assertTrue(html.contains("teacher.onnx"), "the report names the imported teacher");

        // the file gone, the sweep's results still read: status, report and export need the store, not the teacher
        Files.delete(onnx);
        for (String command : List.of("status", "report", "export")) {
            assertEquals(0, Main.execute(command, "imported", "--reports", reports.toString()), command);
        }
        assertTrue(Main.execute("run", "imported", "--reports", reports.toString()) != 0, "training needs the file");
    }
}
