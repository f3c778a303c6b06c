package org.kdharness.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Random;

/**
 * One epoch of minibatches over in-memory arrays, in a seeded order.
 *
 * <p>Why: the order depends only on (seed, epoch), so every method of a seed sees the same
 * data order. Each array is permuted once per epoch and batches are row-range views of
 * it, so there is no per-batch copy; or, under augmentation, each batch's arrays are computed
 * as it is drawn ({@link EpochData}).
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
        this.features = permute(features, order);
        this.labels = permute(labels, order);
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

    private static INDArray[] permute(INDArray[] arrays, int[] order) {
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = Nd4j.pullRows(arrays[i], 1, order);
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
        if (source != null) {
            int[] rows = java.util.Arrays.copyOfRange(order, cursor, end);
            x = new INDArray[]{source.features(epoch, rows)};
            l = source.inputs(x[0], rows).toArray(INDArray[]::new);
        } else {
            x = new INDArray[features.length];
            for (int i = 0; i < features.length; i++) {
                x[i] = features[i].get(NDArrayIndex.interval(cursor, end), NDArrayIndex.all());
            }
            l = new INDArray[labels.length];
            for (int i = 0; i < labels.length; i++) {
                l[i] = labels[i].get(NDArrayIndex.interval(cursor, end), NDArrayIndex.all());
            }
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
