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
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

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
final class TapGraph extends TapTerms {

    /** Name of student tap {@code l}'s input in a graph of terms on the engine's taps (here and in the loss probe). */
    static final String TAP = "student_tap";

    private final SameDiff sd;
    /** The objective graph, whose arrays of the trained variables {@link Updates} steps. */
    private final SameDiff objective;
    private final int taps;
    /** The loss's trained variables, with the gradient buffers {@link Updates} reads. */
    private final List<Updates.Param> trained;
    private final List<String> names;
    private final List<String> wanted;

    private TapGraph(SameDiff sd, SameDiff objective, int taps, int[] labelIndex, long[] teacherUnits, List<Updates.Param> trained) {
        super(labelIndex, teacherUnits);
        this.sd = sd;
        this.objective = objective;
        this.trained = trained;
        this.taps = taps;
        this.names = trained.stream().map(Updates.Param::name).toList();
        List<String> all = new ArrayList<>(names);
        for (int l = 1; l <= taps; l++) {
            all.add(TAP + l);
        }
        this.wanted = List.copyOf(all);
    }

    /** The tap loss of {@code obj}'s method on {@code net}'s taps, the objective graph's arrays of its variables added to {@code updates}. */
    static TapGraph of(Network net, DistillationObjective obj, Updates updates) {
        SameDiff sd = SameDiff.create();
        // variables whose arrays are the taps' at every step: M2.1's calculateGradients gives no placeholder's gradient
        List<SDVariable> hidden = taps(sd, net.hiddenShapes(), (name, width) -> sd.var(name, Nd4j.zeros(DataType.FLOAT, 1, width)));
        List<SDVariable> teacher = new ArrayList<>();
        int[] labels = new int[obj.teacherShapes().size()];
        long[] units = new long[labels.length];
        for (int j = 1; j <= labels.length; j++) {
            ObjectiveInput in = ObjectiveInput.teacherLayer(j);
            units[j - 1] = Projections.size(obj.teacherShapes().get(j - 1));
            labels[j - 1] = obj.inputs().indexOf(in);
            teacher.add(sd.placeHolder(in.placeholder(), DataType.FLOAT, -1, units[j - 1]));
        }
        Network student = new Network(sd, null, null, hidden, net.hiddenShapes(), List.of(), List.of(), 0);
        TapLoss.Built built = obj.trial().method().tapLoss().build(sd, student, teacher, obj.teacherShapes(), obj.trial().seed());
        sd.setLossVariables(sd.identity("tap_loss", built.loss1().mul(obj.layerWeight())).name());
        List<Updates.Param> trained = new ArrayList<>();
        for (String name : trainedVariables(sd)) {
            trained.add(updates.add(name, net.sd().getVariable(name).getArr()));
        }
        return new TapGraph(sd, net.sd(), net.hiddenShapes().size(), labels, units, trained);
    }

    /**
     * Student tap l's input ({@code rows(TAP + l, width)}, rows {@code [n, width]}) for every tap, viewed as
     * {@code [n, c, h, w]} maps where the tap is one.
     */
    static List<SDVariable> taps(SameDiff sd, List<long[]> shapes, BiFunction<String, Long, SDVariable> rows) {
        List<SDVariable> out = new ArrayList<>();
        for (int l = 1; l <= shapes.size(); l++) {
            long[] s = shapes.get(l - 1);
            SDVariable r = rows.apply(TAP + l, Projections.size(s));
            out.add(s.length == 3 ? sd.reshape(r, -1, s[0], s[1], s[2]) : r);
        }
        return out;
    }

    /** The trained variables of a graph of terms on the taps (its own: projections, queries, keys; not the tap inputs). */
    static List<String> trainedVariables(SameDiff sd) {
        return sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE && !v.name().startsWith(TAP))
                .map(SDVariable::name).toList();
    }

    /**
     * Copies the trained graph's current values of {@code names} into {@code into}: M2.1's {@code associateArrayWithVariable}
     * copies into an array of the same shape rather than sharing it, so a second graph holds copies, refreshed before use.
     */
    static void copyValues(SameDiff from, SameDiff into, List<String> names) {
        names.forEach(name -> into.getArrForVarName(name).assign(from.getArrForVarName(name)));
    }

    @Override
    Map<Integer, INDArray> gradients(LayerNet.Outputs out, BatchBuffers b) {
        // the variables' current values (the optimiser stepped them in the objective graph's arrays), and the taps
        copyValues(objective, sd, names);
        for (int l = 1; l <= taps; l++) {
            sd.associateArrayWithVariable(out.taps().get(l - 1), sd.getVariable(TAP + l));
        }
        Map<String, INDArray> feed = new HashMap<>();
        for (int j = 1; j <= labelIndex.length; j++) {
            feed.put(ObjectiveInput.teacherLayer(j).placeholder(), b.teacher[j - 1]);
        }
        Map<String, INDArray> g = sd.calculateGradients(feed, wanted);
        trained.forEach(p -> p.gradient().assign(g.get(p.name())));
        Map<Integer, INDArray> back = new HashMap<>();
        for (int l = 1; l <= taps; l++) {
            INDArray t = g.get(TAP + l);
            if (t != null) {
                back.put(l, t);
            }
        }
        return back;
    }
}
