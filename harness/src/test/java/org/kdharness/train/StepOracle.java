package org.kdharness.train;

import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hand-stepped path's gradients on one batch against SameDiff's autodiff of the same objective (the oracle). */
final class StepOracle {

    /** What builds the step under test; null when it declines the objective. */
    @FunctionalInterface
    interface Factory {
        HandStep of(Network net, DistillationObjective obj, TrainingConfig config);
    }

    private static final int N = 40;

    private StepOracle() {
    }

    private static INDArray gaussian(Random rng, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return Nd4j.create(v, new long[]{rows, cols}, DataType.FLOAT);
    }

    /**
     * Feeds {@code N} random rows (labels, teacher outputs and layers as the objective reads them), takes a scrambled
     * batch of 16, and asserts every trainable variable's gradient within {@code tolerance} of the graph's largest.
     */
    static void compare(Network net, DistillationObjective obj, Factory factory, Random rng, List<long[]> teacherShapes, double tolerance,
                        String what) {
        // the classifier's bias is the last parameter every builder adds: one value per class
        long classes = net.sd().getVariable(net.params().get(net.params().size() - 1)).getArr().length();
        INDArray x = gaussian(rng, N, net.input().getShape()[1]);
        int[] y = rng.ints(N, 0, (int) classes).toArray();
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, N, classes);
        for (int i = 0; i < N; i++) {
            oneHot.putScalar(i, y[i], 1f);
        }
        List<INDArray> labels = new ArrayList<>();
        Map<String, INDArray> feed = new HashMap<>();
        for (ObjectiveInput in : obj.inputs()) {
            INDArray a = switch (in.kind()) {
                case LABELS -> oneHot;
                case TEACHER_PROBS -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax(gaussian(rng, N, classes).muli(2)))[0];
                case TEACHER_LOGITS -> gaussian(rng, N, classes).muli(3);
                case LABEL_MASK -> gaussian(rng, N, 1).gt(0.3).castTo(DataType.FLOAT);
                case TEACHER_LAYER -> gaussian(rng, N, size(teacherShapes.get(in.teacherLayer() - 1)));
            };
            labels.add(a);
            feed.put(in.placeholder(), a);
        }
        // a batch of rows in a scrambled order, as an epoch's permutation would give
        int[] rows = {7, 3, 31, 0, 12, 19, 25, 38, 1, 22, 16, 9, 33, 4, 27, 11};
        feed.replaceAll((k, v) -> Nd4j.pullRows(v, 1, rows));
        feed.put(net.input().name(), Nd4j.pullRows(x, 1, rows));
        // the dropout masks the step draws for this batch (seed 1, layer by layer, row-major), fed to the graph
        Random maskRng = new Random(1);
        for (Network.DropoutMask m : net.dropoutMasks()) {
            float keep = (float) (1.0 / (1.0 - m.drop()));
            float[] v = new float[Math.toIntExact(rows.length * m.width())];
            for (int i = 0; i < v.length; i++) {
                v[i] = maskRng.nextDouble() < m.drop() ? 0f : keep;
            }
            feed.put(m.name(), Nd4j.create(v, new long[]{rows.length, m.width()}, DataType.FLOAT));
        }
        if (net.trainingFlag() != null) {
            feed.put(net.trainingFlag(), Nd4j.ones(DataType.FLOAT, rows.length, 1)); // BatchNorm on the batch's statistics
        }
        HandStep step = factory.of(net, obj, TrainingConfig.builder().updater(new Adam(1e-3))
                .dataSetFeatureMapping(net.input().name()).dataSetLabelMapping(obj.labelPlaceholders()).build());
        assertNotNull(step, "the step should cover " + what);
        Map<String, INDArray> hand = step.gradients(x, labels, rows, 1);
        List<String> vars = new ArrayList<>(hand.keySet());
        Map<String, INDArray> graph = net.sd().calculateGradients(feed, vars);
        assertEquals(net.params().size() + obj.projectionParams().size(), vars.size(), "every trainable variable has a gradient");
        int real = 0;
        double largest = graph.values().stream().mapToDouble(g -> g.amaxNumber().doubleValue()).max().orElseThrow();
        for (String v : vars) {
            INDArray g = graph.get(v).reshape(hand.get(v).shape());
            double scale = g.amaxNumber().doubleValue();
            double err = hand.get(v).sub(g).amaxNumber().doubleValue();
            // a convolution bias just before BatchNorm has no gradient (the batch mean takes it away): rounding on both sides
            real += scale > 1e-6 * largest ? 1 : 0;
            double bound = scale > 1e-6 * largest ? tolerance * scale + 1e-7 : tolerance * largest;
            assertTrue(err <= bound, what + " " + v + ": max |hand - graph| = " + err + " against max |graph| = " + scale);
        }
        // only a BatchNorm network has variables without a gradient (the biases of convolutions just before a BatchNorm)
        assertTrue(net.batchNorms().isEmpty() ? real == vars.size() : real >= 0.7 * vars.size(),
                what + ": real gradients compared (" + real + " of " + vars.size() + ")");
    }

    private static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
