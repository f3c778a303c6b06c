package org.kdharness.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

/**
 * One epoch of minibatches over in-memory arrays, in a seeded order.
 *
 * <p>Why: the order depends only on (seed, epoch), so every method of a seed sees the same
 * data order. Each batch's rows are gathered from the arrays as it is drawn; or, under augmentation,
 * each batch's arrays are computed as it is drawn ({@link EpochData}).
 *
 * <p>Why per batch, not a permuted copy of each array per epoch: the arrays include the teacher's cached
 * outputs, and a feature map is large (resnet32x4's last stage on CIFAR-100's 50,000 training images:
 * 3.3 GB); a permuted copy per epoch doubled that until the JVM's collector freed the old one (the
 * CIFAR-shaped FitNet bench row held 1.8x PyTorch's memory). The copying is the same, a batch at a time.
 */
public final class BatchIterator implements MultiDataSetIterator {

    private final INDArray[] features;
    private final INDArray[] labels;
    /** Batches computed as they are drawn (augmentation), or null for the arrays above. */
    private final EpochData source;
    private final int epoch;
    private final int[] order;
    private final List<DropoutSpec> dropout;
    private final int batchSize;
    private final int n;
    private final Random maskRng;
    private int cursor;
    private MultiDataSetPreProcessor preProcessor;

    /** A dropout mask fed as an extra feature: width and drop probability. */
    public record DropoutSpec(long width, double drop) {
    }

    /**
     * @param features arrays fed to the graph's feature placeholders (rows = examples)
     * @param labels   arrays fed to the label placeholders
     * @param dropout  masks appended after {@code features}, freshly drawn per batch
     * @param order    the epoch's permutation of example indices
     */
    public BatchIterator(INDArray[] features, INDArray[] labels, List<DropoutSpec> dropout, int batchSize,
                         int[] order, long maskSeed) {
        this.features = features.clone();
        this.labels = labels.clone();
        this.source = null;
        this.epoch = 0;
        this.order = order;
        this.dropout = dropout;
        this.batchSize = batchSize;
        this.n = order.length;
        this.maskRng = new Random(maskSeed);
    }

    /** Batches of {@code epoch} computed by {@code source} as they are drawn, in {@code order}: one feature array. */
    public BatchIterator(EpochData source, int epoch, List<DropoutSpec> dropout, int batchSize, int[] order, long maskSeed) {
        this.features = null;
        this.labels = null;
        this.source = source;
        this.epoch = epoch;
        this.order = order;
        this.dropout = dropout;
        this.batchSize = batchSize;
        this.n = order.length;
        this.maskRng = new Random(maskSeed);
    }

    private static INDArray[] rows(INDArray[] arrays, int[] rows) {
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = Nd4j.pullRows(arrays[i], 1, rows);
        }
        return out;
    }

    @Override
    public boolean hasNext() {
        return cursor < n;
    }

    @Override
    public MultiDataSet next() {
        return next(batchSize);
    }

    @Override
    public MultiDataSet next(int num) {
        int end = Math.min(n, cursor + num);
        INDArray[] x;
        INDArray[] l;
        int[] rows = java.util.Arrays.copyOfRange(order, cursor, end);
        if (source != null) {
            x = new INDArray[]{source.features(epoch, rows)};
            l = source.inputs(x[0], rows).toArray(INDArray[]::new);
        } else {
            x = rows(features, rows);
            l = rows(labels, rows);
        }
        INDArray[] f = new INDArray[x.length + dropout.size()];
        System.arraycopy(x, 0, f, 0, x.length);
        for (int i = 0; i < dropout.size(); i++) {
            f[x.length + i] = mask(end - cursor, dropout.get(i));
        }
        cursor = end;
        MultiDataSet ds = new org.nd4j.linalg.dataset.MultiDataSet(f, l);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    /** Inverted dropout: kept units scaled by 1/(1-p), so inference uses a mask of ones. */
    private INDArray mask(int rows, DropoutSpec d) {
        if (d.drop() == 0) {
            return Nd4j.ones(DataType.FLOAT, rows, d.width()); // a constant (BatchNorm's training flag): no draws
        }
        float keep = (float) (1.0 / (1.0 - d.drop()));
        float[] m = new float[Math.toIntExact(rows * d.width())];
        for (int i = 0; i < m.length; i++) {
            m[i] = maskRng.nextDouble() < d.drop() ? 0f : keep;
        }
        return Nd4j.create(m, new long[]{rows, d.width()}, DataType.FLOAT);
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        cursor = 0;
    }
}
