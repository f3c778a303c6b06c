package org.kdharness.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.kdharness.data.Rows;
import org.kdharness.distill.LogitTerm;
import org.kdharness.distill.WeightedTerm;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;

/**
 * The arrays one training step of the layer engine reads for a batch, for one batch size, allocated once: the
 * inputs, the label-side arrays (labels, teacher outputs, the label mask, gathered teacher layers), the dropout
 * masks, and the gradient with respect to the logits.
 *
 * <p>Why: allocation per op per step is what made the graph slow for small students; a trial needs at most two
 * sets (the full batch and the last, shorter one). Batches are gathered into these arrays row by row
 * ({@link Rows#gather}), so the training split is never copied whole.
 */
final class BatchBuffers {

    final int rows;
    final INDArray x;
    final INDArray labels;
    final INDArray teacherProbs;
    final INDArray teacherLogits;
    final INDArray labelMask;
    /** Per gathered teacher layer (what the engine's layer terms read): the batch's rows of that layer. */
    final INDArray[] teacher;
    /** Per dropout layer: the batch's inverted-dropout mask. */
    final INDArray[] dropMask;
    /** The gradient with respect to the logits. */
    final INDArray p;
    private final int probsIndex;
    private final int teacherLogitsIndex;
    private final int maskIndex;
    private final int[] teacherLabels;
    /** Per dropout layer, the dropout probability (0 = none). */
    private final double[] drop;

    /**
     * @param inputs        the input's width (features per example)
     * @param classes       the logits' width
     * @param teacherLabels per gathered teacher layer, its index among the label arrays
     * @param teacherUnits  per gathered teacher layer, its width
     * @param dropWidths    per dropout layer, its width
     * @param drop          per dropout layer, its probability
     */
    BatchBuffers(int rows, long inputs, long classes, int probsIndex, int teacherLogitsIndex, int maskIndex, int[] teacherLabels,
                 long[] teacherUnits, long[] dropWidths, double[] drop) {
        this.rows = rows;
        this.probsIndex = probsIndex;
        this.teacherLogitsIndex = teacherLogitsIndex;
        this.maskIndex = maskIndex;
        this.teacherLabels = teacherLabels;
        this.drop = drop;
        x = floats(rows, inputs);
        labels = floats(rows, classes);
        teacherProbs = probsIndex >= 0 ? floats(rows, classes) : null;
        teacherLogits = teacherLogitsIndex >= 0 ? floats(rows, classes) : null;
        labelMask = maskIndex >= 0 ? floats(rows, 1) : null;
        teacher = new INDArray[teacherLabels.length];
        for (int k = 0; k < teacherLabels.length; k++) {
            teacher[k] = floats(rows, teacherUnits[k]);
        }
        dropMask = new INDArray[drop.length];
        for (int l = 0; l < drop.length; l++) {
            dropMask[l] = drop[l] > 0 ? floats(rows, dropWidths[l]) : null;
        }
        p = floats(rows, classes);
    }

    /** Gathers the batch {@code indices} and draws its dropout masks, in {@code BatchIterator}'s order. */
    void load(INDArray features, List<INDArray> labelArrays, int[] indices, Random maskRng) {
        Rows.gather(features, x, indices);
        Rows.gather(labelArrays.get(0), labels, indices);
        if (teacherProbs != null) {
            Rows.gather(labelArrays.get(probsIndex), teacherProbs, indices);
        }
        if (teacherLogits != null) {
            Rows.gather(labelArrays.get(teacherLogitsIndex), teacherLogits, indices);
        }
        if (labelMask != null) {
            Rows.gather(labelArrays.get(maskIndex), labelMask, indices);
        }
        for (int k = 0; k < teacherLabels.length; k++) {
            Rows.gather(labelArrays.get(teacherLabels[k]), teacher[k], indices);
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
