package org.kdharness.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.kdharness.distill.LogitTerm;
import org.kdharness.distill.WeightedTerm;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

/**
 * Every array one dense training step touches, for one batch size, allocated once.
 *
 * <p>Why: allocation per op per step is what made the graph slow for small students; a
 * trial needs at most two sets (the full batch and the last, shorter one). Batches are
 * gathered into these arrays row by row, so the
 * training split is never copied whole.
 */
final class DenseBuffers {

    final int rows;
    final INDArray x;
    final INDArray labels;
    final INDArray teacherProbs;
    final INDArray teacherLogits;
    final INDArray labelMask;
    /**
     * Per layer term (the dense step) or per gathered teacher layer (the layer engine's terms, which keep their own
     * gradient buffers): the teacher layer's batch, the projection's output and the gradient with respect to it.
     */
    final INDArray[] teacher;
    final INDArray[] hint;
    final INDArray[] hintGrad;
    /** Per hidden layer: pre-activation, activation, their gradients (null unless {@code layerArrays}), dropout mask. */
    final INDArray[] z;
    final INDArray[] a;
    final INDArray[] da;
    final INDArray[] dz;
    final INDArray[] dropMask;
    final INDArray logits;
    /** The gradient with respect to the logits. */
    final INDArray p;
    private final int probsIndex;
    private final int teacherLogitsIndex;
    private final int maskIndex;
    private final int[] hintLabels;
    /** Per hidden layer, the dropout probability (0 = none). */
    private final double[] drop;

    /**
     * @param widths     input width, hidden widths, classes
     * @param hintLabels   per layer term, the index of its teacher layer among the label arrays
     * @param teacherUnits per layer term, the teacher layer's width
     * @param hintUnits    per layer term, the width of what is compared with it (projection output or student layer)
     * @param layerArrays  whether to allocate the per-hidden-layer pre-activation, activation and gradient arrays (the
     *                     dense step's; the layer engine keeps its own and reads only the dropout masks)
     */
    DenseBuffers(int rows, long[] widths, int probsIndex, int teacherLogitsIndex, int maskIndex, int[] hintLabels, long[] teacherUnits,
                 long[] hintUnits, double[] drop, boolean layerArrays) {
        this.rows = rows;
        this.probsIndex = probsIndex;
        this.teacherLogitsIndex = teacherLogitsIndex;
        this.maskIndex = maskIndex;
        this.hintLabels = hintLabels;
        this.drop = drop;
        int hidden = widths.length - 2;
        long classes = widths[widths.length - 1];
        x = floats(rows, widths[0]);
        labels = floats(rows, classes);
        teacherProbs = probsIndex >= 0 ? floats(rows, classes) : null;
        teacherLogits = teacherLogitsIndex >= 0 ? floats(rows, classes) : null;
        labelMask = maskIndex >= 0 ? floats(rows, 1) : null;
        teacher = new INDArray[hintLabels.length];
        hint = new INDArray[hintLabels.length];
        hintGrad = new INDArray[hintLabels.length];
        for (int k = 0; k < hintLabels.length; k++) {
            teacher[k] = floats(rows, teacherUnits[k]);
            hint[k] = floats(rows, hintUnits[k]);
            hintGrad[k] = floats(rows, hintUnits[k]);
        }
        z = new INDArray[hidden];
        a = new INDArray[hidden];
        da = new INDArray[hidden];
        dz = new INDArray[hidden];
        dropMask = new INDArray[hidden];
        for (int l = 0; l < hidden; l++) {
            long w = widths[l + 1];
            if (layerArrays) {
                z[l] = floats(rows, w);
                a[l] = floats(rows, w);
                da[l] = floats(rows, w);
                dz[l] = floats(rows, w);
            }
            dropMask[l] = drop[l] > 0 ? floats(rows, w) : null;
        }
        logits = floats(rows, classes);
        p = floats(rows, classes);
    }

    /** Gathers the batch {@code indices} and draws its dropout masks, in {@code BatchIterator}'s order. */
    void load(INDArray features, List<INDArray> labelArrays, int[] indices, Random maskRng) {
        DenseKernels.gatherRows(features, x, indices);
        DenseKernels.gatherRows(labelArrays.get(0), labels, indices);
        if (teacherProbs != null) {
            DenseKernels.gatherRows(labelArrays.get(probsIndex), teacherProbs, indices);
        }
        if (teacherLogits != null) {
            DenseKernels.gatherRows(labelArrays.get(teacherLogitsIndex), teacherLogits, indices);
        }
        if (labelMask != null) {
            DenseKernels.gatherRows(labelArrays.get(maskIndex), labelMask, indices);
        }
        for (int k = 0; k < hintLabels.length; k++) {
            DenseKernels.gatherRows(labelArrays.get(hintLabels[k]), teacher[k], indices);
        }
        for (int l = 0; l < drop.length; l++) {
            if (drop[l] > 0) {
                // inverted dropout, the same draws as BatchIterator.mask
                float keep = (float) (1.0 / (1.0 - drop[l]));
                float[] m = new float[Math.toIntExact(dropMask[l].length())];
                for (int i = 0; i < m.length; i++) {
                    m[i] = maskRng.nextDouble() < drop[l] ? 0f : keep;
                }
                dropMask[l].assign(Nd4j.create(m, dropMask[l].shape(), DataType.FLOAT));
            }
        }
    }

    /**
     * Sum of the weighted logit terms' hand gradients with respect to {@code logits} (this batch's student
     * logits, {@code [rows, classes]}, contiguous), into {@link #p}.
     */
    void logitGradient(INDArray logits, List<WeightedTerm> terms, double temperature) {
        p.assign(0);
        LogitTerm.Batch batch = new LogitTerm.Batch(logits.data().asNioFloat(), labels.data().asNioFloat(),
                teacherProbs == null ? null : teacherProbs.data().asNioFloat(),
                teacherLogits == null ? null : teacherLogits.data().asNioFloat(),
                labelMask == null ? null : labelMask.data().asNioFloat(), rows, Math.toIntExact(logits.size(1)), temperature);
        FloatBuffer out = p.data().asNioFloat();
        for (WeightedTerm t : terms) {
            t.term().hand().add(batch, t.weight(), out);
        }
    }

    private static INDArray floats(long... shape) {
        return Nd4j.zeros(DataType.FLOAT, shape);
    }
}
