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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A mapping's layer terms on the layer engine's taps: per target, the student tap brought onto the teacher
 * layer's shape as {@code distill.Projections} builds it in the graph (the larger map average-pooled to the
 * smaller's size, then a 1x1 convolution where the channels differ; vectors, or a map against a vector,
 * flattened and mapped linearly; relations compare the flattened taps as they are), the distance's hand
 * gradient, and the way back to the tap.
 *
 * <p>Why here and not in {@code engine}: the distances are the registered {@link LayerDistance} classes, each
 * with its score and gradient together; the engine knows layers, not methods. The projections are the graph's
 * own arrays, so what is dropped after training and what the report counts are unchanged.
 */
final class EngineHints {

    /** One target of a pair: what is compared, with which weight, and the layers on the student's side. */
    private record Term(int studentTap, long[] studentShape, long[] teacherShape, boolean maps, long units, double coefficient,
                        Pool2d studentPool, Pool2d teacherPool, Layer projection) {
    }

    private final List<Term> terms;
    private final LayerDistance.HandGradient distance;
    private final int[] labelIndex;
    private final Map<String, INDArray> tapGradients = new HashMap<>();

    private EngineHints(List<Term> terms, int[] labelIndex, LayerDistance.HandGradient distance) {
        this.terms = terms;
        this.labelIndex = labelIndex;
        this.distance = distance;
    }

    /**
     * The objective's layer terms on {@code net}'s engine, their projections added to {@code updates}; an empty
     * set without layer terms; null when a term needs the graph (no hand gradient, a maps-only distance, targets
     * concatenated).
     */
    static EngineHints of(Network net, DistillationObjective obj, Updates updates) {
        if (obj.hints().isEmpty()) {
            return new EngineHints(List.of(), new int[0], null);
        }
        LayerDistance d = obj.distance();
        if (d.hand() == null || d.mapsOnly()) {
            return null;
        }
        boolean relation = d.family() == LayerDistance.Family.RELATION;
        List<Term> terms = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Hint h : obj.hints()) {
            double coefficient = obj.layerWeight() * h.weight() / h.targets().size();
            long[] ss = net.hiddenShapes().get(h.studentLayer() - 1);
            for (Hint.Target t : h.targets()) {
                if (t.teacherLayers().size() != 1) {
                    return null;
                }
                int j = t.teacherLayers().get(0);
                long[] ts = obj.teacherShapes().get(j - 1);
                labels.add(obj.inputs().indexOf(ObjectiveInput.teacherLayer(j)));
                Parameter w = t.projectionWeight() == null ? null : shared(net, t.projectionWeight(), updates);
                Parameter b = t.projectionBias() == null ? null : shared(net, t.projectionBias(), updates);
                if (!relation && ss.length == 3 && ts.length == 3) {
                    int k = (int) (Math.max(ss[1], ts[1]) / Math.min(ss[1], ts[1]));
                    long side = Math.min(ss[1], ts[1]);
                    terms.add(new Term(h.studentLayer(), ss, ts, true, ts[0] * side * side, coefficient,
                            ss[1] > ts[1] ? Pool2d.average(k, DataType.FLOAT) : null, ts[1] > ss[1] ? Pool2d.average(k, DataType.FLOAT) : null,
                            w == null ? null : new Conv2d(w, b, 1)));
                } else {
                    long units = relation ? Projections.size(ss) : Projections.size(ts);
                    terms.add(new Term(h.studentLayer(), ss, ts, false, units, coefficient, null, null, w == null ? null : new Linear(w, b)));
                }
            }
        }
        return new EngineHints(List.copyOf(terms), labels.stream().mapToInt(Integer::intValue).toArray(), d.hand());
    }

    private static Parameter shared(Network net, String name, Updates updates) {
        INDArray value = net.sd().getVariable(name).getArr();
        Parameter p = Parameter.of(name, value);
        updates.add(name, value, p.gradient());
        return p;
    }

    /** Per term, the index of its teacher layer among the objective's inputs (what the batch gathers). */
    int[] labelIndex() {
        return labelIndex.clone();
    }

    /** Per term, the teacher layer's width. */
    long[] teacherUnits() {
        return terms.stream().mapToLong(t -> Projections.size(t.teacherShape())).toArray();
    }

    /** Per term, the width of the rows compared (and of their gradient). */
    long[] comparedUnits() {
        return terms.stream().mapToLong(Term::units).toArray();
    }

    /**
     * Forward from the taps of a training forward pass, the distances' gradients, and back to the taps: the
     * gradient of every term with respect to each student tap it reads, summed, by 1-based tap.
     */
    Map<Integer, INDArray> gradients(LayerNet.Outputs out, DenseBuffers b) {
        Map<Integer, INDArray> taps = new HashMap<>();
        for (int k = 0; k < terms.size(); k++) {
            Term t = terms.get(k);
            INDArray s = out.taps().get(t.studentTap() - 1);
            long n = s.size(0);
            INDArray grad = b.hintGrad[k].assign(0);
            INDArray back;
            if (t.maps()) {
                INDArray sm = s.reshape('c', n, t.studentShape()[0], t.studentShape()[1], t.studentShape()[2]);
                INDArray pooled = t.studentPool() == null ? sm : t.studentPool().forward(sm, true);
                INDArray p = t.projection() == null ? pooled : t.projection().forward(pooled, true);
                INDArray tm = b.teacher[k].reshape('c', n, t.teacherShape()[0], t.teacherShape()[1], t.teacherShape()[2]);
                INDArray target = t.teacherPool() == null ? tm : t.teacherPool().forward(tm, false);
                distance.add(p.reshape('c', n, t.units()), target.reshape('c', n, t.units()), t.coefficient(), grad);
                INDArray g = grad.reshape('c', p.shape());
                g = t.projection() == null ? g : t.projection().backward(g);
                g = t.studentPool() == null ? g : t.studentPool().backward(g);
                back = g.reshape('c', n, s.size(1));
            } else {
                INDArray p = t.projection() == null ? s : t.projection().forward(s, true);
                distance.add(p, b.teacher[k], t.coefficient(), grad);
                back = t.projection() == null ? grad : t.projection().backward(grad);
            }
            INDArray sum = taps.get(t.studentTap());
            if (sum == null) {
                sum = tapGradients.computeIfAbsent(t.studentTap() + "x" + n, key -> Nd4j.createUninitialized(DataType.FLOAT, n, s.size(1)));
                taps.put(t.studentTap(), sum.assign(back));
            } else {
                sum.addi(back);
            }
        }
        return taps;
    }
}
