package org.kdharness.train;

import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.Projections;
import org.kdharness.distill.TapLoss;
import org.kdharness.engine.LayerNet;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A method's own layer loss over every tap ({@link TapLoss}: the learned association) as a small SameDiff graph
 * whose inputs are the engine's student taps and the teacher's layers: SameDiff gives the loss's gradient with
 * respect to each tap, where the engine's backward pass takes over, and to the loss's own variables (queries,
 * keys, projections), as DL4J's {@code SameDiffOutputLayer} differentiates a SameDiff loss on top of its layers.
 *
 * <p>Why autodiff here and not a hand gradient: the association's softmax over layer pairs, pooled queries and keys
 * and one projection per pair would be a long derivation for one method, and its formula would then exist twice.
 * The graph holds the loss only: the network's forward and backward passes, the bulk of a step, run on the engine.
 * Its variables are the objective graph's (same names, built by the same {@link TapLoss#build}): their values are
 * copied in at every step, and their gradients go to the objective graph's arrays, which the optimiser steps, so
 * what the probe measures, what is dropped after training and what is saved are unchanged.
 */
final class TapGraph implements TapTerms {

    private final SameDiff sd;
    private final int taps;
    private final int[] labelIndex;
    private final long[] teacherUnits;
    /** The loss's trained variables and the gradient buffers {@link Updates} reads, by name. */
    private final Map<String, INDArray> gradients;
    /** The objective graph's arrays of those variables, which {@link Updates} steps, by name. */
    private final Map<String, INDArray> trained;
    private final List<String> wanted;

    private TapGraph(SameDiff sd, int taps, int[] labelIndex, long[] teacherUnits, Map<String, INDArray> gradients,
                     Map<String, INDArray> trained) {
        this.sd = sd;
        this.trained = trained;
        this.taps = taps;
        this.labelIndex = labelIndex;
        this.teacherUnits = teacherUnits;
        this.gradients = gradients;
        List<String> names = new ArrayList<>(gradients.keySet());
        for (int l = 1; l <= taps; l++) {
            names.add(tap(l));
        }
        this.wanted = List.copyOf(names);
    }

    /** The tap loss of {@code obj}'s method on {@code net}'s taps, the objective graph's arrays of its variables added to {@code updates}. */
    static TapGraph of(Network net, DistillationObjective obj, Updates updates) {
        SameDiff sd = SameDiff.create();
        List<long[]> shapes = net.hiddenShapes();
        List<SDVariable> hidden = new ArrayList<>();
        for (int l = 1; l <= shapes.size(); l++) {
            long[] s = shapes.get(l - 1);
            // a variable whose array is the tap's at every step: M2.1's calculateGradients gives no placeholder's gradient
            SDVariable rows = sd.var(tap(l), Nd4j.zeros(DataType.FLOAT, 1, Projections.size(s)));
            hidden.add(s.length == 3 ? sd.reshape(rows, -1, s[0], s[1], s[2]) : rows);
        }
        List<SDVariable> teacher = new ArrayList<>();
        int[] labels = new int[obj.teacherShapes().size()];
        long[] units = new long[labels.length];
        for (int j = 1; j <= labels.length; j++) {
            ObjectiveInput in = ObjectiveInput.teacherLayer(j);
            units[j - 1] = Projections.size(obj.teacherShapes().get(j - 1));
            labels[j - 1] = obj.inputs().indexOf(in);
            teacher.add(sd.placeHolder(in.placeholder(), DataType.FLOAT, -1, units[j - 1]));
        }
        Network student = new Network(sd, null, null, hidden, shapes, List.of(), List.of(), 0);
        TapLoss.Built built = obj.trial().method().tapLoss().build(sd, student, teacher, obj.teacherShapes(), obj.trial().seed());
        sd.setLossVariables(sd.identity("tap_loss", built.loss1().mul(obj.layerWeight())).name());
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        Map<String, INDArray> trained = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && !v.name().startsWith(TAP)) {
                INDArray shared = net.sd().getVariable(v.name()).getArr();
                trained.put(v.name(), shared);
                gradients.put(v.name(), updates.add(v.name(), shared).gradient());
            }
        }
        return new TapGraph(sd, shapes.size(), labels, units, gradients, trained);
    }

    private static final String TAP = "student_tap";

    private static String tap(int l) {
        return TAP + l;
    }

    @Override
    public int[] labelIndex() {
        return labelIndex.clone();
    }

    @Override
    public long[] teacherUnits() {
        return teacherUnits.clone();
    }


    @Override
    public Map<Integer, INDArray> gradients(LayerNet.Outputs out, DenseBuffers b) {
        // M2.1's associateArrayWithVariable copies into an array of the same shape rather than sharing it: the
        // variables' current values (which the optimiser stepped in the objective graph) and the taps are copied in
        trained.forEach((name, value) -> sd.getArrForVarName(name).assign(value));
        Map<String, INDArray> feed = new HashMap<>();
        for (int l = 1; l <= taps; l++) {
            sd.associateArrayWithVariable(out.taps().get(l - 1), sd.getVariable(tap(l)));
        }
        for (int j = 1; j <= labelIndex.length; j++) {
            feed.put(ObjectiveInput.teacherLayer(j).placeholder(), b.teacher[j - 1]);
        }
        Map<String, INDArray> g = sd.calculateGradients(feed, wanted);
        gradients.forEach((name, buffer) -> buffer.assign(g.get(name)));
        Map<Integer, INDArray> back = new HashMap<>();
        for (int l = 1; l <= taps; l++) {
            INDArray t = g.get(tap(l));
            if (t != null) {
                back.put(l, t);
            }
        }
        return back;
    }
}
