package org.kdharness.data;

import org.kdharness.config.DatasetSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Loads an image dataset, IDX (Fashion-MNIST layout) or CIFAR binary ({@link CifarFormat},
 * chosen by {@code dataset.name}), and splits it deterministically; optionally normalises
 * each channel with the training split's mean and standard deviation.
 *
 * <p>Why: every trial and the teacher must see exactly the same examples; the split is a
 * seeded shuffle of the training files, so it depends only on the config.
 */
public final class DatasetLoader {

    /** Hint printed when the data directory is missing. */
    public static final String INSTALL_HINT =
            "install the full set with 'datasets/fetch' (apt-get install dataset-fashion-mnist) "
                    + "or point dataset.path at datasets/fashion-mnist-small";

    /** What to do about missing or unreadable files of this dataset. */
    public static String hint(DatasetSpec spec) {
        CifarFormat cifar = CifarFormat.byName(spec.name());
        return cifar == null ? INSTALL_HINT : "dataset.name " + spec.name() + " reads the " + (cifar == CifarFormat.CIFAR10
                ? "CIFAR-10 binary files (data_batch_1.bin .. data_batch_5.bin, test_batch.bin: cifar-10-batches-bin/ of cifar-10-binary.tar.gz)"
                : "CIFAR-100 binary files (train.bin, test.bin: cifar-100-binary/ of cifar-100-binary.tar.gz)")
                + " in dataset.path; see README, Data";
    }

    public DataSplits load(DatasetSpec spec) {
        Path dir = DataLocation.resolve(spec.path());
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dataset.path: " + DataLocation.notFound(dir.toAbsolutePath(), hint(spec)));
        }
        CifarFormat cifar = CifarFormat.byName(spec.name());
        try {
            ImageData trainAll = cifar != null ? cifar.read(dir, true, spec.trainLimit()) : read(dir, "train", spec.trainLimit());
            ImageData test = cifar != null ? cifar.read(dir, false, spec.testLimit()) : read(dir, "t10k", spec.testLimit());
            int n = trainAll.size();
            int[] order = shuffled(n, spec.splitSeed());
            int nVal = (int) Math.round(n * spec.validationFraction());
            ImageData validation = trainAll.subset(Arrays.copyOfRange(order, 0, nVal));
            ImageData train = trainAll.subset(Arrays.copyOfRange(order, nVal, n));
            String source = dir.toAbsolutePath().normalize() + (cifar != null ? " (" + cifar + " binary)" : "") + " train=" + train.size()
                    + " val=" + validation.size() + " test=" + test.size() + " split_seed=" + spec.splitSeed();
            if (spec.normalize().equals(DatasetSpec.PER_CHANNEL)) {
                ChannelNormalizer norm = ChannelNormalizer.fit(train);
                train = norm.apply(train);
                validation = norm.apply(validation);
                test = norm.apply(test);
                source += " normalize=" + norm;
            }
            return new DataSplits(train, validation, test, source);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage() + "; " + hint(spec), e);
        }
    }

    /**
     * Reads every file's bytes (not converting them to features): what {@code kd plan}
     * checks, so that a missing, corrupt or truncated file is named before a run starts.
     *
     * @throws UncheckedIOException naming the file at fault
     */
    public void check(DatasetSpec spec) {
        Path dir = DataLocation.resolve(spec.path());
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dataset.path: " + DataLocation.notFound(dir.toAbsolutePath(), hint(spec)));
        }
        CifarFormat cifar = CifarFormat.byName(spec.name());
        try {
            if (cifar != null) {
                cifar.check(dir);
                return;
            }
            for (String prefix : new String[]{"train", "t10k"}) {
                int images = IdxReader.read(find(dir, prefix + "-images-idx3-ubyte"), 0).count();
                int labels = IdxReader.read(find(dir, prefix + "-labels-idx1-ubyte"), 0).count();
                if (images != labels) {
                    throw new IOException(dir + ": " + prefix + " has " + images + " images but " + labels + " labels");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage() + "; " + hint(spec), e);
        }
    }

    /** Reads {@code <prefix>-images-idx3-ubyte[.gz]} and its labels. */
    static ImageData read(Path dir, String prefix, int limit) throws IOException {
        IdxReader.IdxArray images = IdxReader.read(find(dir, prefix + "-images-idx3-ubyte"), limit);
        IdxReader.IdxArray labels = IdxReader.read(find(dir, prefix + "-labels-idx1-ubyte"), limit);
        if (images.count() != labels.count()) {
            throw new IOException(dir + ": " + prefix + " has " + images.count() + " images but " + labels.count() + " labels");
        }
        int n = images.count();
        int per = images.perExample();
        float[] x = new float[n * per];
        byte[] px = images.data();
        for (int i = 0; i < x.length; i++) {
            x[i] = (px[i] & 0xFF) / 255f;
        }
        int[] y = new int[n];
        int maxLabel = 0;
        for (int i = 0; i < n; i++) {
            y[i] = labels.data()[i] & 0xFF;
            maxLabel = Math.max(maxLabel, y[i]);
        }
        INDArray features = Nd4j.create(x, new long[]{n, per}, DataType.FLOAT);
        int h = images.shape().length > 1 ? images.shape()[1] : 1;
        int w = images.shape().length > 2 ? images.shape()[2] : per;
        return new ImageData(features, y, 1, h, w, Math.max(10, maxLabel + 1));
    }

    private static Path find(Path dir, String base) throws IOException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new java.io.FileNotFoundException("dataset file not found: " + gz + " (or " + plain + ")");
    }

    /** Seeded Fisher-Yates permutation of 0..n-1. */
    public static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
