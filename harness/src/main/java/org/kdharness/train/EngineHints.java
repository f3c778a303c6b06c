package org.kdharness.train;

import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.Hint;
import org.kdharness.distill.LayerDistance;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.Projections;
import org.kdharness.engine.Pool2d;
import org.kdharness.engine.Conv2d;
import org.kdharness.engine.Layer;
import org.kdharness.engine.LayerNet;
import org.kdharness.engine.Linear;
import org.kdharness.engine.Parameter;
import org.kdharness.models.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A mapping's layer terms on the layer engine's taps: per target, the student tap brought onto the teacher
 * layer's shape as {@code distill.Projections} builds it in the graph (the larger map average-pooled to the
 * smaller's size, then a 1x1 convolution where the channels differ; vectors, or a map against a vector,
 * flattened and mapped linearly; relations compare the flattened taps as they are; a maps-only distance such as
 * attention transfer compares the pooled maps without a projection), the distance's hand gradient, and the way
 * back to the tap.
 *
 * <p>Why here and not in {@code engine}: the distances are the registered {@link LayerDistance} classes, each
 * with its score and gradient together; the engine knows layers, not methods. The projections are the graph's
 * own arrays, so what is dropped after training and what the report counts are unchanged.
 */
final class EngineHints extends TapTerms {

    /**
     * One target of a pair: what is compared, with which weight, the layers on the student's side, and the gathered
     * teacher layers it reads (several, concatenated, for {@code aggregate: concat}).
     */
    private record Term(int studentTap, long[] studentShape, long[] teacherShape, boolean maps, long units, double coefficient,
                        Pool2d studentPool, Pool2d teacherPool, Layer projection, int[] gathered) {
    }

    private final List<Term> terms;
    private final LayerDistance.HandGradient distance;
    /** Whether the distance reads maps ({@code [n, c, h, w]}) rather than rows. */
    private final boolean mapsOnly;
    private final Map<String, INDArray> buffers = new HashMap<>();

    private EngineHints(List<Term> terms, int[] labelIndex, long[] teacherUnits, LayerDistance.HandGradient distance, boolean mapsOnly) {
        super(labelIndex, teacherUnits);
        this.terms = terms;
        this.mapsOnly = mapsOnly;
        this.distance = distance;
    }

    /**
     * The objective's layer terms on {@code net}'s engine, their projections added to {@code updates}; an empty
     * set without layer terms; null when a term needs the graph (a distance without a hand gradient).
     */
    static EngineHints of(Network net, DistillationObjective obj, Updates updates) {
        if (obj.hints().isEmpty()) {
            return new EngineHints(List.of(), new int[0], new long[0], null, false);
        }
        LayerDistance d = obj.distance();
        if (d.hand() == null) {
            return null;
        }
        boolean relation = d.family() == LayerDistance.Family.RELATION;
        List<Term> terms = new ArrayList<>();
        List<Integer> gathered = new ArrayList<>();
        for (Hint h : obj.hints()) {
            double coefficient = obj.layerWeight() * h.weight() / h.targets().size();
            long[] ss = net.hiddenShapes().get(h.studentLayer() - 1);
            for (Hint.Target t : h.targets()) {
                int[] reads = new int[t.teacherLayers().size()];
                long width = 0;
                for (int i = 0; i < reads.length; i++) {
                    int input = obj.inputs().indexOf(ObjectiveInput.teacherLayer(t.teacherLayers().get(i)));
                    if (!gathered.contains(input)) {
                        gathered.add(input);
                    }
                    reads[i] = gathered.indexOf(input);
                    width += Projections.size(obj.teacherShapes().get(t.teacherLayers().get(i) - 1));
                }
                long[] ts = obj.teacherShapes().get(t.teacherLayers().get(0) - 1);
                Parameter w = t.projectionWeight() == null ? null : shared(net, t.projectionWeight(), updates);
                Parameter b = t.projectionBias() == null ? null : shared(net, t.projectionBias(), updates);
                if (!relation && reads.length == 1 && ss.length == 3 && ts.length == 3) {
                    int k = (int) (Math.max(ss[1], ts[1]) / Math.min(ss[1], ts[1]));
                    long side = Math.min(ss[1], ts[1]);
                    // a maps-only distance (attention transfer) compares the pooled maps as they are, channels may differ
                    long channels = d.mapsOnly() ? ss[0] : ts[0];
                    terms.add(new Term(h.studentLayer(), ss, ts, true, channels * side * side, coefficient,
                            ss[1] > ts[1] ? Pool2d.average(k, DataType.FLOAT) : null, ts[1] > ss[1] ? Pool2d.average(k, DataType.FLOAT) : null,
                            w == null ? null : new Conv2d(w, b, 1), reads));
                } else {
                    // vectors, a map against a vector, concatenated targets: flattened rows, mapped linearly
                    long units = relation ? Projections.size(ss) : width;
                    terms.add(new Term(h.studentLayer(), ss, ts, false, units, coefficient, null, null, w == null ? null : new Linear(w, b), reads));
                }
            }
        }
        long[] units = gathered.stream().mapToLong(i -> Projections.size(obj.teacherShapes().get(obj.inputs().get(i).teacherLayer() - 1)))
                .toArray();
        return new EngineHints(List.copyOf(terms), gathered.stream().mapToInt(Integer::intValue).toArray(), units, d.hand(), d.mapsOnly());
    }

    private static Parameter shared(Network net, String name, Updates updates) {
        INDArray value = net.sd().getVariable(name).getArr();
        Parameter p = Parameter.of(name, value);
        updates.add(name, value, p.gradient());
        return p;
    }

    /** The array of {@code slot} for {@code n} rows of {@code width} (contents undefined). */
    private INDArray buffer(String slot, long n, long width) {
        return buffers.computeIfAbsent(slot + "x" + n + "x" + width, key -> Nd4j.createUninitialized(DataType.FLOAT, n, width));
    }

    /** The term's teacher rows: the gathered layer, or several concatenated into one buffer. */
    private INDArray teacher(int k, Term t, BatchBuffers b) {
        if (t.gathered().length == 1) {
            return b.teacher[t.gathered()[0]];
        }
        INDArray joined = buffer("teacher" + k, b.rows, t.units());
        long from = 0;
        for (int i : t.gathered()) {
            long w = teacherUnits[i];
            joined.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + w)).assign(b.teacher[i]);
            from += w;
        }
        return joined;
    }

    @Override
    Map<Integer, INDArray> gradients(LayerNet.Outputs out, BatchBuffers b) {
        Map<Integer, INDArray> taps = new HashMap<>();
        for (int k = 0; k < terms.size(); k++) {
            Term t = terms.get(k);
            INDArray s = out.taps().get(t.studentTap() - 1);
            long n = s.size(0);
            INDArray grad = buffer("grad" + k, n, t.units()).assign(0);
            INDArray teacher = teacher(k, t, b);
            INDArray back;
            if (t.maps()) {
                INDArray sm = s.reshape('c', n, t.studentShape()[0], t.studentShape()[1], t.studentShape()[2]);
                INDArray pooled = t.studentPool() == null ? sm : t.studentPool().forward(sm, true);
                INDArray p = t.projection() == null ? pooled : t.projection().forward(pooled, true);
                INDArray tm = teacher.reshape('c', n, t.teacherShape()[0], t.teacherShape()[1], t.teacherShape()[2]);
                INDArray target = t.teacherPool() == null ? tm : t.teacherPool().forward(tm, false);
                INDArray g = grad.reshape('c', p.shape());
                if (mapsOnly) {
                    distance.add(p, target, t.coefficient(), g);
                } else {
                    distance.add(p.reshape('c', n, t.units()), target.reshape('c', n, t.units()), t.coefficient(), grad);
                }
                g = t.projection() == null ? g : t.projection().backward(g);
                g = t.studentPool() == null ? g : t.studentPool().backward(g);
                back = g.reshape('c', n, s.size(1));
            } else {
                INDArray p = t.projection() == null ? s : t.projection().forward(s, true);
                distance.add(p, teacher, t.coefficient(), grad);
                back = t.projection() == null ? grad : t.projection().backward(grad);
            }
            INDArray sum = taps.get(t.studentTap());
            if (sum == null) {
                sum = buffer("tap" + t.studentTap(), n, s.size(1));
                taps.put(t.studentTap(), sum.assign(back));
            } else {
                sum.addi(back);
            }
        }
        return taps;
    }
}
