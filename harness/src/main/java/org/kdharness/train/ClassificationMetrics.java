package org.kdharness.train;

import org.kdharness.data.Rows;
import org.tribuo.Example;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.MutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelConfusionMatrix;
import org.tribuo.impl.ArrayExample;
import org.kdharness.distill.SoftTargets;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation of a student's logits on one split: accuracy, macro-F1 and per-class recall
 * (from Tribuo's {@link LabelConfusionMatrix}), agreement with and KL to the teacher, and
 * expected calibration error.
 *
 * <p>Why these: accuracy alone cannot tell a student that mimics its teacher from one that
 * merely matches the labels; agreement and KL measure the mimicry, ECE the calibration
 * distillation is known to change.
 *
 * @param accuracy         top-1 accuracy
 * @param macroF1          unweighted mean of per-class F1
 * @param perClassAccuracy recall of each class, index = class
 * @param teacherAgreement share of examples where student and teacher top-1 agree (NaN without teacher)
 * @param klToTeacher      mean {@code KL(softmax(z_t) || softmax(z_s))} at T = 1 (NaN without teacher)
 * @param ece              expected calibration error over 15 equal-width confidence bins
 */
public record ClassificationMetrics(double accuracy, double macroF1, double[] perClassAccuracy,
                                    double teacherAgreement, double klToTeacher, double ece) {

    /** Number of confidence bins for ECE, as in Guo et al. (2017). */
    public static final int ECE_BINS = 15;

    /**
     * Top-1 accuracy alone: what early stopping reads every epoch, without the confusion
     * matrix and calibration the full {@link #of} computes (which cost several times the
     * validation forward pass).
     */
    public static double accuracy(INDArray logits, int[] labels) {
        long[] predicted = logits.argMax(1).toLongVector();
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /**
     * @param logits        student logits {@code [n, C]}
     * @param labels        true classes
     * @param teacherLogits teacher logits on the same examples, or null
     */
    public static ClassificationMetrics of(INDArray logits, int[] labels, INDArray teacherLogits) {
        double[][] z = Rows.of(logits);
        double[][] zt = teacherLogits == null ? null : Rows.of(teacherLogits);
        int classes = z[0].length;
        LabelFactory factory = new LabelFactory();
        Label[] names = new Label[classes];
        MutableOutputInfo<Label> info = factory.generateInfo();
        for (int c = 0; c < classes; c++) {
            names[c] = new Label(Integer.toString(c));
            info.observe(names[c]);
        }
        ImmutableOutputInfo<Label> domain = info.generateImmutableOutputInfo();
        List<Prediction<Label>> predictions = new ArrayList<>(labels.length);
        int correct = 0, agree = 0;
        double kl = 0;
        double[] binConf = new double[ECE_BINS], binAcc = new double[ECE_BINS];
        int[] binCount = new int[ECE_BINS];
        for (int i = 0; i < labels.length; i++) {
            double[] p = SoftTargets.softmax(z[i], 1.0);
            int pred = argmax(p);
            correct += pred == labels[i] ? 1 : 0;
            Example<Label> ex = new ArrayExample<>(names[labels[i]]);
            predictions.add(new Prediction<>(names[pred], 0, ex));
            int bin = Math.min(ECE_BINS - 1, (int) (p[pred] * ECE_BINS));
            binConf[bin] += p[pred];
            binAcc[bin] += pred == labels[i] ? 1 : 0;
            binCount[bin]++;
            if (zt != null) {
                double[] pt = SoftTargets.softmax(zt[i], 1.0);
                agree += argmax(pt) == pred ? 1 : 0;
                kl += SoftTargets.kl(pt, p);
            }
        }
        LabelConfusionMatrix cm = new LabelConfusionMatrix(domain, predictions);
        double f1Sum = 0;
        double[] perClass = new double[classes];
        for (int c = 0; c < classes; c++) {
            double tp = cm.tp(names[c]), fp = cm.fp(names[c]), fn = cm.fn(names[c]);
            f1Sum += (2 * tp + fp + fn) == 0 ? 0 : 2 * tp / (2 * tp + fp + fn);
            perClass[c] = (tp + fn) == 0 ? Double.NaN : tp / (tp + fn);
        }
        double ece = 0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (binCount[b] > 0) {
                ece += Math.abs(binAcc[b] / binCount[b] - binConf[b] / binCount[b]) * binCount[b] / labels.length;
            }
        }
        int n = labels.length;
        return new ClassificationMetrics((double) correct / n, f1Sum / classes, perClass,
                zt == null ? Double.NaN : (double) agree / n, zt == null ? Double.NaN : kl / n, ece);
    }

    /** Named scalar metrics, prefixed with the split, e.g. {@code test_accuracy}. */
    public Map<String, Double> named(String split) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(split + "_accuracy", accuracy);
        m.put(split + "_macro_f1", macroF1);
        m.put(split + "_ece", ece);
        if (!Double.isNaN(teacherAgreement)) {
            m.put(split + "_teacher_agreement", teacherAgreement);
            m.put(split + "_kl_to_teacher", klToTeacher);
        }
        return m;
    }

    static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
