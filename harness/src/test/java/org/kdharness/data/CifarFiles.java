package org.kdharness.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small files in the exact CIFAR binary layouts: the generator the reader's tests use
 * (no CIFAR file can be downloaded here). Every pixel byte is {@link #pixel} of its record,
 * channel, row and column, so a test can tell a misplaced channel, row or column.
 */
final class CifarFiles {

    private CifarFiles() {
    }

    /** The byte at record {@code r} (counted over the whole split), channel, row, column. */
    static int pixel(int r, int channel, int y, int x) {
        return (r * 7 + channel * 50 + y * 3 + x) % 256;
    }

    /** CIFAR-10's label of record {@code r}; CIFAR-100's fine label is {@code r % 100}, its coarse {@code (3 r) % 20}. */
    static int label10(int r) {
        return (r * 3 + 1) % 10;
    }

    /** CIFAR-10: five training batches of {@code perBatch} records and a test batch of {@code test}. */
    static void writeCifar10(Path dir, int perBatch, int test) throws IOException {
        Files.createDirectories(dir);
        int r = 0;
        for (int b = 1; b <= 5; b++) {
            r = write(dir.resolve("data_batch_" + b + ".bin"), r, perBatch, false);
        }
        write(dir.resolve("test_batch.bin"), 0, test, false);
    }

    /** CIFAR-100: {@code train.bin} and {@code test.bin}, each record a coarse and a fine label byte first. */
    static void writeCifar100(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve("train.bin"), 0, train, true);
        write(dir.resolve("test.bin"), 0, test, true);
    }

    private static int write(Path file, int first, int count, boolean hundred) throws IOException {
        int labelBytes = hundred ? 2 : 1;
        byte[] out = new byte[count * (labelBytes + 3072)];
        int at = 0;
        for (int r = first; r < first + count; r++) {
            if (hundred) {
                out[at++] = (byte) ((3 * r) % 20);
                out[at++] = (byte) (r % 100);
            } else {
                out[at++] = (byte) label10(r);
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        out[at++] = (byte) pixel(r, c, y, x);
                    }
                }
            }
        }
        Files.write(file, out);
        return first + count;
    }
}
