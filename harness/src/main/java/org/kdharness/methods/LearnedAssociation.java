package org.kdharness.methods;

import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.Projections;
import org.kdharness.distill.TapLoss;
import org.kdharness.distill.TrialSpec;
import org.kdharness.distill.WeightedTerm;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code association}: every student layer attends over every teacher layer, and the layer loss
 * is the attention-weighted distance, so the mapping is learned instead of chosen (SemCKD,
 * Chen et al., AAAI 2021).
 *
 * <p>For student layer {@code l} and teacher layer {@code j}, per example {@code b}:
 * <pre>
 *   q_l = pool(h_s_l) W^q_l + b^q_l,  k_j = pool(h_t_j) W^k_j + b^k_j        (width K = 32)
 *   a_{b,l,.} = softmax_j(q_l . k_j / sqrt(K))
 *   d_{b,l,j} = mean over units of (proj_{l,j}(h_s_l) - h_t_j)^2
 *   Loss1 = (1/S) sum_l mean_b sum_j a_{b,l,j} d_{b,l,j}
 * </pre>
 * {@code pool} is global average pooling of feature maps (vectors as they are); {@code proj_{l,j}}
 * is one projection per (student, teacher) pair, built as FitNets' hints build theirs
 * ({@link Projections}). The trial's loss is {@code w1 * Loss1 + w2 * L_response}. Queries, keys
 * and projections are trained with the student and dropped after.
 *
 * <p>Why these choices: SemCKD's queries and keys read each batch's sample-similarity rows, whose
 * width is the batch size; reading pooled features instead (as the issue asks) makes the
 * attention per example and independent of the batch. The squared error is SemCKD's distance. The
 * trained association, the attention's mean over the validation split per (student, teacher)
 * pair, is stored per trial as {@code val_association_s<l>_t<j>}, and is what the report draws.
 * Student and teacher layers are every hidden layer of each network (no expert picks them).
 */
public final class LearnedAssociation implements DistillationMethod, TapLoss {

    /** Width of queries and keys. */
    static final int KEY_WIDTH = 32;

    @Override
    public String name() {
        return "association";
    }

    @Override
    public Set<Axis> axes() {
        return Set.of(Axis.TEMPERATURE, Axis.ALPHA, Axis.W_FEATURE, Axis.W_RESPONSE);
    }

    @Override
    public List<WeightedTerm> logitTerms(TrialSpec trial) {
        return Responses.terms(trial, trial.effectiveWResponse());
    }

    @Override
    public double layerWeight(TrialSpec trial) {
        return trial.effectiveWFeature();
    }

    @Override
    public TapLoss tapLoss() {
        return this;
    }

    /** Metric name of the mean attention of student layer {@code l} on teacher layer {@code j}. */
    public static String weightMetric(int l, int j) {
        return "association_s" + l + "_t" + j;
    }

    @Override
    public Built build(SameDiff sd, Network student, List<SDVariable> teacherLayers, List<long[]> teacherShapes, long seed) {
        int s = student.hidden().size(), t = teacherLayers.size();
        if (s == 0 || t == 0) {
            throw new IllegalArgumentException("association needs hidden layers in both networks (student " + s + ", teacher " + t + ")");
        }
        Projections proj = new Projections(sd, seed);
        List<SDVariable> keys = new ArrayList<>();
        for (int j = 1; j <= t; j++) {
            long[] ts = teacherShapes.get(j - 1);
            keys.add(proj.affine(pooled(sd, teacherLayers.get(j - 1), ts), ts[0], KEY_WIDTH, "assoc_k" + j));
        }
        Map<String, SDVariable> metrics = new LinkedHashMap<>();
        List<String> validation = new ArrayList<>();
        SDVariable loss1 = null;
        for (int l = 1; l <= s; l++) {
            SDVariable hs = student.hidden().get(l - 1);
            long[] ss = student.hiddenShapes().get(l - 1);
            SDVariable q = proj.affine(pooled(sd, hs, ss), ss[0], KEY_WIDTH, "assoc_q" + l);
            SDVariable[] energy = new SDVariable[t];
            SDVariable[] distance = new SDVariable[t];
            for (int j = 1; j <= t; j++) {
                energy[j - 1] = q.mul(keys.get(j - 1)).sum(true, 1).mul(1.0 / Math.sqrt(KEY_WIDTH));
                Projections.Aligned a = proj.align(hs, ss, teacherLayers.get(j - 1), teacherShapes.get(j - 1), "assoc_p" + l + "_t" + j);
                distance[j - 1] = sd.math.squaredDifference(a.student(), a.teacher()).mean(true, 1);
            }
            SDVariable attention = sd.nn.softmax(t == 1 ? energy[0] : sd.concat(1, energy), 1);
            SDVariable d = t == 1 ? distance[0] : sd.concat(1, distance);
            SDVariable term = sd.identity("association_s" + l, attention.mul(d).sum(1).mean());
            metrics.put("association_s" + l, term);
            for (int j = 1; j <= t; j++) {
                float[] pick = new float[t];
                pick[j - 1] = 1f;
                SDVariable w = attention.mul(sd.constant(Nd4j.create(pick, new long[]{1, t}, DataType.FLOAT))).sum(1).mean();
                metrics.put(weightMetric(l, j), sd.identity(weightMetric(l, j), w));
                validation.add(weightMetric(l, j));
            }
            loss1 = loss1 == null ? term : loss1.add(term);
        }
        return new Built(sd.identity("association_loss1", loss1.mul(1.0 / s)), metrics, validation, proj.names());
    }

    /** {@code [n, c]}: a vector layer as it is, a map {@code [c, h, w]} averaged over its positions. */
    private static SDVariable pooled(SameDiff sd, SDVariable h, long[] shape) {
        return shape.length == 1 ? h : sd.reshape(h, -1, shape[0], shape[1] * shape[2]).mean(2);
    }
}
