package org.kdharness.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The CIFAR-10 and CIFAR-100 binary formats, as distributed
 * ({@code cifar-10-binary.tar.gz}, {@code cifar-100-binary.tar.gz}), read into
 * {@link ImageData}.
 *
 * <p>A record is the label byte(s) then 3,072 pixel bytes: the 1,024 red values of the
 * 32x32 image row by row, then green, then blue. CIFAR-10: {@code data_batch_1.bin} ..
 * {@code data_batch_5.bin} and {@code test_batch.bin}, one label byte (0-9). CIFAR-100:
 * {@code train.bin} and {@code test.bin}, a coarse (0-19) then a fine (0-99) label byte.
 *
 * <p>Why our own reader: the layout is fixed and tiny to parse, and channel-planar records
 * are already the NCHW rows {@link ImageData} holds, so the bytes go straight into one
 * float buffer; each fault names the file and the record.
 */
public enum CifarFormat {
    /** CIFAR-10: ten classes. */
    CIFAR10(List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"),
            List.of("test_batch.bin"), 1, 0, 10),
    /** CIFAR-100 with its 100 fine labels (what KD papers report). */
    CIFAR100(List.of("train.bin"), List.of("test.bin"), 2, 1, 100),
    /** CIFAR-100 with its 20 coarse (superclass) labels. */
    CIFAR100_COARSE(List.of("train.bin"), List.of("test.bin"), 2, 0, 20);

    /** Pixel bytes per record: 3 channels of 32x32. */
    public static final int PIXELS = 3 * 32 * 32;

    private final List<String> trainFiles, testFiles;
    private final int labelBytes, labelOffset, classes;

    CifarFormat(List<String> trainFiles, List<String> testFiles, int labelBytes, int labelOffset, int classes) {
        this.trainFiles = trainFiles;
        this.testFiles = testFiles;
        this.labelBytes = labelBytes;
        this.labelOffset = labelOffset;
        this.classes = classes;
    }

    /** The format a {@code dataset.name} selects, or null for IDX ({@code cifar10}, {@code cifar100}, {@code cifar100-coarse}). */
    public static CifarFormat byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "cifar10" -> CIFAR10;
            case "cifar100" -> CIFAR100;
            case "cifar100coarse" -> CIFAR100_COARSE;
            default -> null;
        };
    }

    /** Every file of the set, training files first: what the dataset's fingerprint hashes. */
    public List<String> files() {
        return java.util.stream.Stream.concat(trainFiles.stream(), testFiles.stream()).toList();
    }

    public int classes() {
        return classes;
    }

    int recordBytes() {
        return labelBytes + PIXELS;
    }

    /**
     * What {@code kd plan} checks: every file's size and every record's label bytes, without
     * converting pixels (the full CIFAR training set as floats is 600 MB).
     *
     * @throws IOException naming the file and record at fault
     */
    void check(Path dir) throws IOException {
        int record = recordBytes();
        for (String name : files()) {
            Path file = dir.resolve(name);
            long records = records(file);
            try (var in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                byte[] labels = new byte[labelBytes];
                for (long r = 0; r < records; r++) {
                    if (in.readNBytes(labels, 0, labelBytes) != labelBytes) {
                        throw new IOException(file + ": shorter than its size said (changed while reading?)");
                    }
                    checkLabels(file, r, labels, 0);
                    in.skipNBytes(record - labelBytes);
                }
            }
        }
    }

    /** Records in {@code file}, after checking that it exists and holds whole records. */
    private long records(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException("dataset file not found: " + file + " (" + this + " binary layout)");
        }
        long size = Files.size(file);
        int record = recordBytes();
        if (size == 0 || size % record != 0) {
            throw new IOException(file + ": " + size + " bytes is not a whole number of " + record + "-byte records ("
                    + (labelBytes == 1 ? "label" : "coarse and fine label") + " + 3072 pixels): truncated or not " + this);
        }
        return size / record;
    }

    /** Every label byte of record {@code r} in range (CIFAR-100: coarse below 20 and fine below 100, whichever is used). */
    private void checkLabels(Path file, long r, byte[] bytes, int base) throws IOException {
        for (int b = 0; b < labelBytes; b++) {
            int label = bytes[base + b] & 0xFF, limit = labelBytes == 1 ? 10 : b == 0 ? 20 : 100;
            if (label >= limit) {
                throw new IOException(file + ": record " + r + " has " + (labelBytes == 1 ? "label " : b == 0 ? "coarse label " : "fine label ")
                        + label + ", outside 0-" + (limit - 1) + " for " + this
                        + " (another layout? CIFAR-100 records carry two label bytes, CIFAR-10 one)");
            }
        }
    }

    /** Reads the training (or test) files of {@code dir}, at most {@code limit} records (0 = all). */
    ImageData read(Path dir, boolean train, int limit) throws IOException {
        List<String> names = train ? trainFiles : testFiles;
        int record = recordBytes(), total = 0;
        long[] counts = new long[names.size()];
        for (int f = 0; f < names.size(); f++) {
            counts[f] = records(dir.resolve(names.get(f)));
            total = Math.toIntExact(Math.addExact(total, counts[f]));
        }
        int n = limit > 0 ? Math.min(limit, total) : total;
        float[] x = new float[Math.multiplyExact(n, PIXELS)];
        int[] y = new int[n];
        int at = 0;
        for (int f = 0; f < names.size() && at < n; f++) {
            Path file = dir.resolve(names.get(f));
            int take = (int) Math.min(counts[f], n - at);
            byte[] bytes = new byte[Math.multiplyExact(take, record)];
            try (var in = Files.newInputStream(file)) {
                if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
                    throw new IOException(file + ": shorter than its size said (changed while reading?)");
                }
            }
            for (int r = 0; r < take; r++, at++) {
                int base = r * record;
                checkLabels(file, r, bytes, base);
                y[at] = bytes[base + labelOffset] & 0xFF;
                for (int p = 0; p < PIXELS; p++) {
                    x[at * PIXELS + p] = (bytes[base + labelBytes + p] & 0xFF) / 255f;
                }
            }
        }
        return new ImageData(Nd4j.create(x, new long[]{n, PIXELS}, DataType.FLOAT), y, 3, 32, 32, classes);
    }
}
