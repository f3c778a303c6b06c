package org.kdharness.teacher;

import org.junit.jupiter.api.Test;
import org.kdharness.config.DatasetSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.data.TestPaths;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Teachers trained and exported by PyTorch ({@code datasets/onnx-teachers/export.py}) give, through ONNX
 * Runtime on the images as the harness loads them, the logits PyTorch computed (to 1e-4), and their exported
 * hint layers.
 */
class OnnxTeacherTest {

    static final Path DIR = TestPaths.repo().resolve("datasets/onnx-teachers");

    /** The first 256 test images of the shipped subset, as the harness loads them. */
    private static INDArray testImages() {
        DataSplits data = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
                TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.1, 1000, 256, 42L));
        return data.test().features();
    }

    private static double[][] torchLogits(String name) throws Exception {
        return Files.readAllLines(DIR.resolve(name + ".logits.csv")).stream()
                .map(l -> java.util.Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray()).toArray(double[][]::new);
    }

    private static void assertLogits(String name) throws Exception {
        try (OnnxTeacher t = new OnnxTeacher(DIR.resolve(name + ".onnx"))) {
            INDArray logits = t.output(testImages(), "logits");
            double[][] expected = torchLogits(name);
            assertEquals(256, expected.length);
            double worst = 0;
            for (int i = 0; i < 256; i++) {
                for (int c = 0; c < 10; c++) {
                    worst = Math.max(worst, Math.abs(expected[i][c] - logits.getDouble(i, c)));
                }
            }
            assertTrue(worst <= 1e-4, name + ": largest difference from PyTorch's logits " + worst);
        }
    }

    @Test
    void anMlpTeachersLogitsEqualPyTorchs() throws Exception {
        assertLogits("mlp");
        try (OnnxTeacher t = new OnnxTeacher(DIR.resolve("mlp.onnx"))) {
            assertEquals(List.of("logits", "h1", "h2"), List.copyOf(t.outputs().keySet()));
            assertArrayEquals(new long[]{128}, t.outputs().get("h1"));
            INDArray h2 = t.output(testImages(), "h2");
            assertEquals(64, h2.size(1));
            assertTrue(h2.minNumber().doubleValue() >= 0, "h2 is a ReLU layer's output");
            // 784-128-64-10 with biases: 100480 + 8256 + 650 weights and biases
            assertEquals(109_386, t.parameterCount());
            assertArrayEquals(new long[]{128}, t.exampleShape(testImages(), "h1"));
        }
    }

    @Test
    void aResNetTeachersLogitsEqualPyTorchsAndItsTapsAreConsistent() throws Exception {
        assertLogits("resnet");
        try (OnnxTeacher t = new OnnxTeacher(DIR.resolve("resnet.onnx"))) {
            assertEquals(List.of("logits", "stage1", "stage2", "stage3", "pool"), List.copyOf(t.outputs().keySet()));
            assertArrayEquals(new long[]{64, 7, 7}, t.outputs().get("stage3"));
            assertArrayEquals(new long[]{32, 14, 14}, t.exampleShape(testImages(), "stage2"));
            INDArray x = testImages();
            INDArray stage3 = t.output(x, "stage3"), pool = t.output(x, "pool");
            // pool is stage3 averaged over its 7 x 7 positions, channel by channel
            for (int c = 0; c < 64; c += 9) {
                double mean = stage3.getRow(5).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(c * 49, (c + 1) * 49)).meanNumber().doubleValue();
                assertEquals(mean, pool.getDouble(5, c), 1e-5, "channel " + c);
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> t.output(x, "stage4")).getMessage().contains("stage3"));
        }
        // in batches of 100 (100 + 100 + 56 rows): the same values, each batch at its own rows
        try (OnnxTeacher whole = new OnnxTeacher(DIR.resolve("resnet.onnx")); OnnxTeacher chunked = new OnnxTeacher(DIR.resolve("resnet.onnx"), 100)) {
            INDArray x = testImages();
            assertEquals(whole.output(x, "stage3"), chunked.output(x, "stage3"));
            assertEquals(whole.output(x, "logits"), chunked.output(x, "logits"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> chunked.output(x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 100)),
                            "logits")).getMessage().contains("rows of 784 values"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new OnnxTeacher(DIR.resolve("export.py"))).getMessage()
                .contains("export.py: not a loadable ONNX model"));
    }

    @Test
    void anImportedTeachersTapsAreTheNamedOutputsInTheirOrder() throws Exception {
        INDArray x = testImages();
        org.kdharness.config.OnnxSpec spec = new org.kdharness.config.OnnxSpec(DIR.resolve("resnet.onnx").toString(), "logits",
                List.of("stage2", "stage3", "pool"), null);
        ImportedTeacher imported = new ImportedTeacher(spec, x, 10);
        try (OnnxTeacher t = new OnnxTeacher(DIR.resolve("resnet.onnx"))) {
            assertEquals(t.output(x, "logits"), imported.logits(x));
            assertEquals(t.output(x, "stage2"), imported.tap(x, 1), "tap 1 is the first named");
            assertEquals(t.output(x, "pool"), imported.tap(x, 3));
            assertEquals(t.parameterCount(), imported.paramCount());
        }
        assertEquals(List.of(List.of(32L, 14L, 14L), List.of(64L, 7L, 7L), List.of(64L)), imported.tapShapes().stream()
                .map(s -> java.util.Arrays.stream(s).boxed().toList()).toList());
        // the harness's image rows of another size are refused by name
        INDArray wrong = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3 * 32 * 32);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ImportedTeacher(spec, wrong, 10)).getMessage()
                .contains("rows of 784 values, the data has 3072"));
        // and a teacher of other classes than the dataset's
        String classes = assertThrows(IllegalArgumentException.class, () -> new ImportedTeacher(spec, x, 100)).getMessage();
        assertTrue(classes.contains("resnet.onnx: output 'logits' gives 10 values per image; the dataset has 100 classes"), classes);
    }
}
