package org.kdharness.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.config.DatasetSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CIFAR binary readers on generated files in both layouts, their faults, and per-channel normalisation. */
class CifarFormatTest {

    private static DatasetSpec spec(String name, Path dir, String normalize) {
        return new DatasetSpec(name, dir.toString(), 0.25, 0, 0, 42L, normalize);
    }

    /** Every pixel of example {@code i} of {@code data} is the generator's byte for record {@code record}, NCHW. */
    private static void assertImage(ImageData data, int i, int record) {
        float[] row = data.features().getRow(i).dup().data().asFloat();
        assertEquals(3072, row.length);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    assertEquals(CifarFiles.pixel(record, c, y, x) / 255f, row[c * 1024 + y * 32 + x], 0f,
                            "record " + record + " channel " + c + " row " + y + " column " + x);
                }
            }
        }
    }

    @Test
    void cifar10ReadsEveryBatchInOrder(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar10(dir, 4, 3);
        ImageData train = CifarFormat.CIFAR10.read(dir, true, 0), test = CifarFormat.CIFAR10.read(dir, false, 0);
        assertEquals(20, train.size());
        assertEquals(3, test.size());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(10, train.numClasses());
        for (int r = 0; r < 20; r++) {
            assertEquals(CifarFiles.label10(r), train.labels()[r]);
        }
        assertImage(train, 0, 0);
        assertImage(train, 13, 13); // fourth batch: batches are read in order, records within them in order
        assertImage(test, 2, 2);
        ImageData limited = CifarFormat.CIFAR10.read(dir, true, 7);
        assertEquals(7, limited.size(), "train_limit takes the first records, across batch files");
        assertImage(limited, 6, 6);
        assertEquals(CifarFiles.label10(6), limited.labels()[6]);
    }

    @Test
    void cifar100ReadsFineOrCoarseLabels(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar100(dir, 30, 5);
        ImageData fine = CifarFormat.CIFAR100.read(dir, true, 0), coarse = CifarFormat.CIFAR100_COARSE.read(dir, true, 0);
        assertEquals(100, fine.numClasses());
        assertEquals(20, coarse.numClasses());
        for (int r = 0; r < 30; r++) {
            assertEquals(r % 100, fine.labels()[r]);
            assertEquals((3 * r) % 20, coarse.labels()[r]);
        }
        assertImage(fine, 29, 29);
        assertImage(CifarFormat.CIFAR100.read(dir, false, 0), 4, 4);
    }

    @Test
    void theLoaderSplitsCifarByName(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar10(dir, 4, 3);
        DataSplits s = new DatasetLoader().load(spec("cifar-10", dir, null));
        assertEquals(15, s.train().size());
        assertEquals(5, s.validation().size());
        assertEquals(3, s.test().size());
        assertTrue(s.source().contains("CIFAR10 binary"), s.source());
        // the split is the same seeded shuffle as for IDX data
        int[] order = DatasetLoader.shuffled(20, 42L);
        assertImage(s.validation(), 0, order[0]);
        assertImage(s.train(), 0, order[5]);
    }

    @Test
    void faultsNameTheFileAndTheRecord(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar10(dir, 2, 2);
        Path batch = dir.resolve("data_batch_3.bin");
        byte[] bytes = Files.readAllBytes(batch);
        Files.write(batch, Arrays.copyOf(bytes, bytes.length - 100));
        IOException truncated = assertThrows(IOException.class, () -> CifarFormat.CIFAR10.read(dir, true, 0));
        assertTrue(truncated.getMessage().contains("data_batch_3.bin") && truncated.getMessage().contains("3073-byte records"),
                truncated.getMessage());

        CifarFiles.writeCifar10(dir, 2, 2);
        bytes = Files.readAllBytes(batch);
        bytes[3073] = 12; // second record's label
        Files.write(batch, bytes);
        IOException label = assertThrows(IOException.class, () -> CifarFormat.CIFAR10.read(dir, true, 0));
        assertTrue(label.getMessage().contains("data_batch_3.bin: record 1 has label 12"), label.getMessage());

        CifarFiles.writeCifar10(dir, 2, 2);
        new DatasetLoader().check(spec("cifar10", dir, null)); // whole files pass kd plan's check
        Files.delete(dir.resolve("test_batch.bin"));
        UncheckedIOException missing = assertThrows(UncheckedIOException.class,
                () -> new DatasetLoader().load(spec("cifar10", dir, null)));
        assertTrue(missing.getMessage().contains("test_batch.bin") && missing.getMessage().contains("cifar-10-binary.tar.gz")
                && !missing.getMessage().contains("fashion"), missing.getMessage());
    }

    @Test
    void cifar100FilesAreNotMistakenForCifar10(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar100(dir.resolve("c100"), 3073, 1); // 3073 records of 3074 bytes: a whole number of 3073-byte records too
        // the sizes pass for every batch; the labels, read at CIFAR-10's record boundaries, do not
        for (int b = 1; b <= 5; b++) {
            Files.copy(dir.resolve("c100/train.bin"), dir.resolve("data_batch_" + b + ".bin"));
        }
        Files.copy(dir.resolve("c100/train.bin"), dir.resolve("test_batch.bin"));
        IOException e = assertThrows(IOException.class, () -> CifarFormat.CIFAR10.read(dir, true, 0));
        assertTrue(e.getMessage().contains("data_batch_1.bin: record ") && e.getMessage().contains("outside 0-9"), e.getMessage());
        IOException checked = assertThrows(IOException.class, () -> CifarFormat.CIFAR10.check(dir));
        assertEquals(e.getMessage(), checked.getMessage(), "kd plan's check finds the same record without converting pixels");
    }

    @Test
    void perChannelNormalisationUsesTheTrainingSplitsStatistics(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar10(dir, 4, 3);
        DataSplits raw = new DatasetLoader().load(spec("cifar10", dir, null));
        DataSplits norm = new DatasetLoader().load(spec("cifar10", dir, DatasetSpec.PER_CHANNEL));
        for (int c = 0; c < 3; c++) {
            // the statistics, recomputed here from the raw training split
            double sum = 0, sq = 0;
            float[] x = raw.train().features().dup().data().asFloat();
            int n = raw.train().size();
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 1024; p++) {
                    double v = x[i * 3072 + c * 1024 + p];
                    sum += v;
                    sq += v * v;
                }
            }
            double mean = sum / (n * 1024.0), std = Math.sqrt(sq / (n * 1024.0) - mean * mean);
            float rawTest = raw.test().features().getFloat(1, c * 1024 + 77);
            assertEquals((rawTest - mean) / std, norm.test().features().getFloat(1, c * 1024 + 77), 1e-4,
                    "test pixels use the training split's channel " + c + " statistics");
            double normSum = 0;
            float[] y = norm.train().features().dup().data().asFloat();
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 1024; p++) {
                    normSum += y[i * 3072 + c * 1024 + p];
                }
            }
            assertEquals(0.0, normSum / (n * 1024.0), 1e-4, "training channel " + c + " centred");
        }
        assertTrue(norm.source().contains("normalize=per_channel(mean "), norm.source());
        assertNotEquals(DataLocation.identity(spec("cifar10", dir, null)), DataLocation.identity(spec("cifar10", dir, DatasetSpec.PER_CHANNEL)),
                "normalisation is part of the dataset's identity (teacher key, trial ids)");
    }

    @Test
    void spellingsOfOneFormatShareAnIdentity(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar10(dir, 2, 2);
        assertEquals(DataLocation.identity(spec("cifar-10", dir, null)), DataLocation.identity(spec("cifar10", dir, null)));
    }

    @Test
    void theFingerprintCoversEveryCifarFile(@TempDir Path dir) throws IOException {
        CifarFiles.writeCifar10(dir, 2, 2);
        String before = DataLocation.identity(spec("cifar10", dir, null));
        byte[] bytes = Files.readAllBytes(dir.resolve("data_batch_5.bin"));
        bytes[500] ^= 1;
        Files.write(dir.resolve("data_batch_5.bin"), bytes);
        assertNotEquals(before, DataLocation.identity(spec("cifar10", dir, null)));
    }
}
