package org.kdharness.data;

import org.junit.jupiter.api.Test;
import org.kdharness.config.DatasetSpec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped Fashion-MNIST subset loads with known shapes, labels and splits. */
class DatasetLoaderTest {

    static final Path SMALL = TestPaths.repo().resolve("datasets/fashion-mnist-small");

    @Test
    void shippedSubsetHasKnownShapesAndLabels() throws Exception {
        ImageData train = DatasetLoader.read(SMALL, "train", 0);
        ImageData test = DatasetLoader.read(SMALL, "t10k", 0);
        assertEquals(10_000, train.size());
        assertEquals(2_000, test.size());
        assertArrayEquals(new long[]{10_000, 784}, train.features().shape());
        assertEquals(28, train.height());
        assertEquals(10, train.numClasses());
        // first labels of the official Fashion-MNIST training file: ankle boot, T-shirt, T-shirt, dress, ...
        assertArrayEquals(new int[]{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(train.labels(), 10));
        assertArrayEquals(new int[]{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, Arrays.copyOf(test.labels(), 10));
        int[] counts = new int[10];
        for (int y : train.labels()) {
            counts[y]++;
        }
        assertArrayEquals(new int[]{942, 1027, 1016, 1019, 974, 989, 1021, 1022, 990, 1000}, counts);
        // pixel scaling: the centre pixel of the first image is 217/255, its pixel sum 76247/255
        assertEquals(217 / 255.0, train.features().getDouble(0, 14 * 28 + 14), 1e-6);
        assertEquals(76247 / 255.0, train.features().getRow(0).sumNumber().doubleValue(), 1e-2);
    }

    @Test
    void splitsAreDisjointDeterministicAndSized() {
        DatasetSpec spec = new DatasetSpec("fashion-mnist", SMALL.toString(), 0.1, 0, 0, 42L);
        DataSplits a = new DatasetLoader().load(spec);
        DataSplits b = new DatasetLoader().load(spec);
        assertEquals(9_000, a.train().size());
        assertEquals(1_000, a.validation().size());
        assertEquals(2_000, a.test().size());
        assertArrayEquals(a.validation().labels(), b.validation().labels());
        assertEquals(a.train().features(), b.train().features());
        Set<String> trainRows = new HashSet<>();
        for (int i = 0; i < a.train().size(); i++) {
            trainRows.add(Arrays.toString(a.train().features().getRow(i).toFloatVector()));
        }
        int overlap = 0;
        for (int i = 0; i < a.validation().size(); i++) {
            overlap += trainRows.contains(Arrays.toString(a.validation().features().getRow(i).toFloatVector())) ? 1 : 0;
        }
        // Fashion-MNIST has a handful of exact duplicate images; a leaky split would share ~all 1000
        assertTrue(overlap < 10, "validation rows also in train: " + overlap);
        DataSplits other = new DatasetLoader().load(new DatasetSpec("fashion-mnist", SMALL.toString(), 0.1, 0, 0, 43L));
        assertTrue(!Arrays.equals(a.validation().labels(), other.validation().labels()), "split seed must matter");
    }

    @Test
    void missingDirectoryNamesPathAndHowToFetch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DatasetLoader()
                .load(new DatasetSpec("fashion-mnist", "/nonexistent/fmnist", 0.1, 0, 0, 1L)));
        assertTrue(e.getMessage().contains("/nonexistent/fmnist"), e.getMessage());
        assertTrue(e.getMessage().contains("datasets/fetch"), e.getMessage());
    }

    /** A copy of the shipped subset in {@code dir/data}, to damage. */
    private static Path shippedDataCopy(Path dir) throws java.io.IOException {
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        try (var files = java.nio.file.Files.list(TestPaths.repo().resolve("datasets/fashion-mnist-small"))) {
            for (Path f : files.toList()) {
                java.nio.file.Files.copy(f, data.resolve(f.getFileName()));
            }
        }
        return data;
    }

    /** A tiny sweep's config on {@code data} instead of the shipped subset. */
    private static Path tinySweepOn(Path dir, String name, Path data) throws java.io.IOException {
        Path config = dir.resolve(name + ".yaml");
        java.nio.file.Files.writeString(config, org.kdharness.TinySweep.yaml(name, org.kdharness.TinySweep.SMALL_GRID)
                .replace(TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), data.toString()));
        return config;
    }

    @Test
    void aCorruptFileIsNamedByPlanAndRun(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = shippedDataCopy(dir);
        java.nio.file.Files.writeString(data.resolve("t10k-labels-idx1-ubyte.gz"), "not gzip at all");
        Path config = tinySweepOn(dir, "corrupt", data);
        for (String command : java.util.List.of("plan", "run")) {
            org.kdharness.CliRun.Result r = org.kdharness.CliRun.run(command, config.toString(), "--reports", dir.resolve("reports").toString());
            assertTrue(r.code() != 0, command + " must fail: " + r.out());
            assertTrue(r.err().contains("t10k-labels-idx1-ubyte.gz: not a gzip file"), command + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
    }

    @Test
    void aTruncatedFileIsNamedByPlan(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = shippedDataCopy(dir);
        // a valid gzip stream of the first half of the test images: the header promises more
        Path images = data.resolve("t10k-images-idx3-ubyte.gz");
        byte[] raw;
        try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(images))) {
            raw = in.readAllBytes();
        }
        try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(images))) {
            out.write(raw, 0, raw.length / 2);
        }
        Path config = tinySweepOn(dir, "cut", data);
        org.kdharness.CliRun.Result r = org.kdharness.CliRun.run("plan", config.toString());
        assertTrue(r.code() != 0, "plan must fail: " + r.out());
        assertTrue(r.err().contains("t10k-images-idx3-ubyte.gz: truncated"), r.err());
    }
}
