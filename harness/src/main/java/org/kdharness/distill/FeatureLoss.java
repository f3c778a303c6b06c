package org.kdharness.distill;

import org.kdharness.config.LayerMapping;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * FitNets-style hint loss: {@code Loss1 = sum_m w_m * d(proj_m(h_s), h_t)}.
 *
 * <p>Why projections: a student layer is usually narrower than the teacher layer it
 * imitates, so a trainable linear map {@code proj(h) = h W + b} lifts it to the teacher's
 * width when the widths differ (identity when equal). Projection weights are trained with
 * the student but are not part of the deployed student and are excluded from its
 * parameter count.
 *
 * <p>Many-to-one pairs: with {@code aggregate: mean} each teacher layer j gets its own
 * projection and the pair's distance is {@code (1/|J|) sum_j d(proj_j(h_s), h_t_j)}; with
 * {@code concat} the teacher layers are concatenated and one projection maps onto them.
 * Feature maps are flattened per example.
 *
 * <p>Distances, averaged over the batch: {@code mse} = mean over examples and units of
 * {@code (p - t)^2}; {@code cosine} = mean over examples of {@code 1 - p.t/(|p||t| + eps)}.
 */
public final class FeatureLoss {

    private static final double EPS = 1e-8;

    /**
     * The built loss.
     *
     * @param loss1       {@code sum_m w_m d_m}
     * @param pairTerms   unweighted {@code d_m} per pair, named by the pair
     * @param projections names of the projection variables (not deployed)
     */
    public record Terms(SDVariable loss1, Map<String, SDVariable> pairTerms, List<String> projections) {
    }

    private FeatureLoss() {
    }

    /**
     * Adds the hint loss to the student's graph.
     *
     * @param teacherLayer   placeholder of the (flattened) teacher layer j, 1-based
     * @param teacherSize    per-example size of teacher layer j, 1-based
     * @param seed           seeds the projections' initial weights
     */
    public static Terms build(SameDiff sd, Network student, LayerMapping mapping, String distance,
                              IntFunction<SDVariable> teacherLayer, IntFunction<Long> teacherSize, long seed) {
        Random rng = new Random(seed ^ 0x5DEECE66DL);
        Map<String, SDVariable> terms = new LinkedHashMap<>();
        List<String> projections = new ArrayList<>();
        SDVariable loss1 = null;
        int m = 1;
        for (LayerMapping.Pair pair : mapping.pairs()) {
            SDVariable hs = flat(sd, student, pair.student());
            long ds = student.hiddenSize(pair.student());
            SDVariable d;
            if ("concat".equals(pair.aggregate()) && pair.teacher().size() > 1) {
                SDVariable[] parts = new SDVariable[pair.teacher().size()];
                long dt = 0;
                for (int j = 0; j < parts.length; j++) {
                    parts[j] = teacherLayer.apply(pair.teacher().get(j));
                    dt += teacherSize.apply(pair.teacher().get(j));
                }
                SDVariable target = sd.concat(1, parts);
                d = distance(sd, project(sd, hs, ds, dt, "proj" + m + "_cat", rng, projections), target, distance);
            } else {
                d = null;
                for (int t : pair.teacher()) {
                    long dt = teacherSize.apply(t);
                    SDVariable dj = distance(sd, project(sd, hs, ds, dt, "proj" + m + "_t" + t, rng, projections),
                            teacherLayer.apply(t), distance);
                    d = d == null ? dj : d.add(dj);
                }
                d = d.div(pair.teacher().size());
            }
            d = sd.identity("feature_m" + m, d);
            terms.put(pair.student() + "", d);
            SDVariable wd = d.mul(pair.weight());
            loss1 = loss1 == null ? wd : loss1.add(wd);
            m++;
        }
        return new Terms(sd.identity("feature_loss1", loss1), terms, List.copyOf(projections));
    }

    private static SDVariable flat(SameDiff sd, Network net, int layer) {
        SDVariable h = net.hidden().get(layer - 1);
        return net.hiddenShapes().get(layer - 1).length == 1 ? h : sd.reshape(h, -1, net.hiddenSize(layer));
    }

    private static SDVariable project(SameDiff sd, SDVariable hs, long ds, long dt, String name, Random rng,
                                      List<String> projections) {
        if (ds == dt) {
            return hs;
        }
        float[] w = new float[Math.toIntExact(ds * dt)];
        double std = Math.sqrt(1.0 / ds);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextGaussian() * std);
        }
        SDVariable wt = sd.var(name + "_W", Nd4j.create(w, new long[]{ds, dt}, DataType.FLOAT));
        SDVariable b = sd.var(name + "_b", Nd4j.zeros(DataType.FLOAT, 1, dt));
        projections.add(wt.name());
        projections.add(b.name());
        return hs.mmul(wt).add(b);
    }

    private static SDVariable distance(SameDiff sd, SDVariable p, SDVariable t, String distance) {
        return switch (distance) {
            case "mse" -> sd.math.squaredDifference(p, t).mean();
            case "cosine" -> {
                SDVariable dot = p.mul(t).sum(true, 1);
                SDVariable np = sd.math.sqrt(p.mul(p).sum(true, 1).add(EPS));
                SDVariable nt = sd.math.sqrt(t.mul(t).sum(true, 1).add(EPS));
                yield sd.constant(1.0f).sub(dot.div(np.mul(nt)).mean());
            }
            default -> throw new IllegalArgumentException("unknown distance '" + distance + "'");
        };
    }
}
