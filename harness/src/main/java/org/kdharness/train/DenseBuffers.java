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
 * A training step's batch (features, labels, teacher outputs and layers, dropout masks) and the gradient with
 * respect to its logits, for one batch size, allocated once.
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
     * Per gathered teacher layer (the engine's terms keep their own gradient buffers): the teacher layer's batch, and
     * a buffer as wide as what is compared with it.
     */
    final INDArray[] teacher;
    final INDArray[] hint;
    final INDArray[] hintGrad;
    /** Per dropout layer, this batch's mask. */
    final INDArray[] dropMask;
    /** The gradient with respect to the logits. */
    final INDArray p;
    private final int probsIndex;
    private final int teacherLogitsIndex;
    private final int maskIndex;
    private final int[] hintLabels;
    /** Per dropout layer, the drop probability. */
    private final double[] drop;

    /**
     * @param widths       input width, classes
     * @param hintLabels   per gathered teacher layer, its index among the label arrays
     * @param teacherUnits per gathered teacher layer, its width
     * @param hintUnits    per gathered teacher layer, the width of what is compared with it
     * @param drop         per dropout layer, the drop probability
     * @param dropWidths   per dropout layer, its width
     */
    DenseBuffers(int rows, long[] widths, int probsIndex, int teacherLogitsIndex, int maskIndex, int[] hintLabels, long[] teacherUnits,
                 long[] hintUnits, double[] drop, long[] dropWidths) {
        this.rows = rows;
        this.probsIndex = probsIndex;
        this.teacherLogitsIndex = teacherLogitsIndex;
        this.maskIndex = maskIndex;
        this.hintLabels = hintLabels;
        this.drop = drop;
        long classes = widths[1];
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
        dropMask = new INDArray[drop.length];
        for (int l = 0; l < drop.length; l++) {
            dropMask[l] = floats(rows, dropWidths[l]);
        }
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
            // inverted dropout, the same draws as BatchIterator.mask
            float keep = (float) (1.0 / (1.0 - drop[l]));
            float[] m = new float[Math.toIntExact(dropMask[l].length())];
            for (int i = 0; i < m.length; i++) {
                m[i] = maskRng.nextDouble() < drop[l] ? 0f : keep;
            }
            dropMask[l].assign(Nd4j.create(m, dropMask[l].shape(), DataType.FLOAT));
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
