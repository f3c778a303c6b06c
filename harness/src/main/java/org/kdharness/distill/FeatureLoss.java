package org.kdharness.distill;

import org.kdharness.config.LayerMapping;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Layer-to-layer distillation terms: FitNets-style hints
 * ({@code Loss1 = sum_m w_m * d(proj_m(h_s), h_t)}) and, for relation distances, the same
 * sum with {@code d_rel(h_s, h_t)} (no projection).
 *
 * <p>Why projections: a student layer is usually narrower than the teacher layer it
 * imitates. Vectors are lifted by a trainable linear map {@code h W + b}; feature maps by a
 * trainable 1x1 convolution (channels), after average pooling the larger map down to the
 * smaller's spatial size (integer factors only). Widths that already agree get no
 * projection. Projections are trained with the student but are not part of the deployed
 * student and are excluded from its parameter count. A map paired with a vector is
 * flattened and projected linearly.
 *
 * <p>Many-to-one pairs: with {@code aggregate: mean} each teacher layer j gets its own
 * projection and the pair's distance is {@code (1/|J|) sum_j d(proj_j(h_s), h_t_j)}; with
 * {@code concat} the flattened teacher layers are concatenated and one linear projection
 * maps onto them.
 *
 * <p>The distance {@code d} is a registered {@link LayerDistance} (each defines itself);
 * a maps-only distance (attention transfer) compares pooled conv maps with no projection.
 *
 * <p>Normalisations multiply by a reciprocal instead of dividing: in ND4J 1.0.0-M2.1 the
 * gradient of a division whose divisor broadcasts from a single element is wrong (pinned
 * by the gradient checks in {@code FeatureLossTest} and {@code RelationLossTest}).
 */
public final class FeatureLoss {


    /**
     * The built loss.
     *
     * @param loss1       {@code sum_m w_m d_m}
     * @param pairTerms   unweighted {@code d_m} per pair, in pair order
     * @param projections names of the projection variables (not deployed)
     * @param hints       the pairs' structure, in pair order
     */
    public record Terms(SDVariable loss1, List<SDVariable> pairTerms, List<String> projections, List<Hint> hints) {
    }

    private final SameDiff sd;
    private final Projections projections;
    /** Targets of the pair being built. */
    private final List<Hint.Target> targets = new ArrayList<>();

    private FeatureLoss(SameDiff sd, long seed) {
        this.sd = sd;
        this.projections = new Projections(sd, seed);
    }

    /**
     * Adds the loss over {@code mapping} to the student's graph.
     *
     * @param distance     the registered distance (its family decides hint or relation)
     * @param teacherLayer placeholder of the (flattened) teacher layer j, 1-based
     * @param teacherShape per-example shape of teacher layer j ({@code [d]} or {@code [c, h, w]})
     * @param seed         seeds the projections' initial weights
     * @throws IllegalArgumentException when a pair cannot be compared (named in the message)
     */
    public static Terms build(SameDiff sd, Network student, LayerMapping mapping, LayerDistance distance,
                              IntFunction<SDVariable> teacherLayer, IntFunction<long[]> teacherShape, long seed) {
        boolean relation = distance.family() == LayerDistance.Family.RELATION;
        FeatureLoss f = new FeatureLoss(sd, seed);
        List<SDVariable> terms = new ArrayList<>();
        List<Hint> hints = new ArrayList<>();
        SDVariable loss1 = null;
        int m = 1;
        for (LayerMapping.Pair pair : mapping.pairs()) {
            SDVariable hs = student.hidden().get(pair.student() - 1);
            long[] ss = student.hiddenShapes().get(pair.student() - 1);
            SDVariable d;
            f.targets.clear();
            try {
                if (relation) {
                    d = null;
                    for (int t : pair.teacher()) {
                        f.targets.add(new Hint.Target(List.of(t), null, null, false));
                        SDVariable dj = distance.build(sd, flat(sd, hs, ss), teacherLayer.apply(t));
                        d = d == null ? dj : d.add(dj);
                    }
                    d = d.div(pair.teacher().size());
                } else if ("concat".equals(pair.aggregate()) && pair.teacher().size() > 1) {
                    if (distance.mapsOnly()) {
                        throw new IllegalArgumentException(distance.name() + " cannot use aggregate: concat");
                    }
                    SDVariable[] parts = new SDVariable[pair.teacher().size()];
                    long dt = 0;
                    for (int j = 0; j < parts.length; j++) {
                        parts[j] = teacherLayer.apply(pair.teacher().get(j));
                        dt += size(teacherShape.apply(pair.teacher().get(j)));
                    }
                    SDVariable p = f.projections.linear(flat(sd, hs, ss), size(ss), dt, "proj" + m + "_cat");
                    f.addTarget(pair.teacher(), size(ss) != dt, "proj" + m + "_cat", false);
                    d = distance.build(sd, p, sd.concat(1, parts));
                } else {
                    d = null;
                    for (int t : pair.teacher()) {
                        SDVariable dj = f.term(hs, ss, t, teacherLayer.apply(t), teacherShape.apply(t), distance, "proj" + m + "_t" + t);
                        d = d == null ? dj : d.add(dj);
                    }
                    d = d.div(pair.teacher().size());
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mapping " + mapping.name() + ", pair " + pair.name() + ": " + e.getMessage(), e);
            }
            d = sd.identity("feature_m" + m, d);
            terms.add(d);
            hints.add(new Hint(pair.student(), pair.weight(), f.targets));
            SDVariable wd = d.mul(pair.weight());
            loss1 = loss1 == null ? wd : loss1.add(wd);
            m++;
        }
        return new Terms(sd.identity("feature_loss1", loss1), List.copyOf(terms), f.projections.names(), List.copyOf(hints));
    }

    private void addTarget(List<Integer> teacherLayers, boolean projected, String name, boolean convolutional) {
        targets.add(projected ? new Hint.Target(teacherLayers, name + "_W", name + "_b", convolutional)
                : new Hint.Target(teacherLayers, null, null, false));
    }

    /** One student layer against one teacher layer. */
    private SDVariable term(SDVariable hs, long[] ss, int t, SDVariable tFlat, long[] ts, LayerDistance distance, String name) {
        if (distance.mapsOnly()) {
            if (ss.length != 3 || ts.length != 3) {
                throw new IllegalArgumentException(distance.name() + " needs conv feature maps on both sides");
            }
            SDVariable[] st = projections.sameSpatial(hs, ss, sd.reshape(tFlat, -1, ts[0], ts[1], ts[2]), ts);
            addTarget(List.of(t), false, name, false);
            return distance.build(sd, st[0], st[1]);
        }
        Projections.Aligned a = projections.align(hs, ss, tFlat, ts, name);
        addTarget(List.of(t), a.projected(), name, a.convolutional());
        return distance.build(sd, a.student(), a.teacher());
    }

    static SDVariable flat(SameDiff sd, SDVariable h, long[] shape) {
        return Projections.flat(sd, h, shape);
    }

    static long size(long[] shape) {
        return Projections.size(shape);
    }
}
