package org.kdharness.models;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.kdharness.engine.BatchNorm2d;
import org.kdharness.engine.Layer;
import org.kdharness.engine.LayerNet;
import org.kdharness.engine.Linear;
import org.kdharness.engine.Parameter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the BatchNorm families (resnet, wrn, vgg) build alike: the image input, the training flag,
 * BatchNorm layers recorded for the trainer and the teacher cache, and the finished network.
 */
abstract class NormalisedBuilder {

    final NetworkBuilder init;
    final SameDiff sd;
    final String prefix;
    private final List<Network.BatchNorm> norms = new ArrayList<>();
    /** The engine's layers built beside the graph's ops, by the name they were built under. */
    private final Map<String, Layer> layers = new HashMap<>();
    private NetworkBuilder.InputShape shape;
    private SDVariable input;
    private SDVariable training;

    NormalisedBuilder(NetworkBuilder init, SameDiff sd, String prefix) {
        this.init = init;
        this.sd = sd;
        this.prefix = prefix;
    }

    /** The input placeholder and the training flag; returns the input as {@code [n, c, h, w]} maps. */
    SDVariable images(NetworkBuilder.InputShape shape) {
        this.shape = shape;
        input = sd.placeHolder(prefix + "input", init.type(), -1, shape.size());
        training = sd.placeHolder(flag(), init.type(), -1, 1).mean();
        return sd.reshape(input, -1, shape.channels(), shape.height(), shape.width());
    }

    private String flag() {
        return prefix + "bn_train";
    }

    /** BatchNorm over the channels of {@code [n, c, h, w]} maps ({@link BatchNormLayer}), with trained γ = 1 and β = 0 to start. */
    SDVariable bn(SDVariable x, long c, String name) {
        SDVariable gamma = init.param(name + "_gamma", Nd4j.ones(init.type(), c));
        SDVariable beta = init.param(name + "_beta", Nd4j.zeros(init.type(), c));
        BatchNormLayer bn = BatchNormLayer.apply(sd, x, c, gamma, beta, training, prefix + name);
        norms.add(bn.layer());
        built(name, new BatchNorm2d(shared(name + "_gamma"), shared(name + "_beta"),
                sd.getVariable(bn.layer().runningMean()).getArr(), sd.getVariable(bn.layer().runningVar()).getArr()));
        return bn.output();
    }

    /** The trained graph variable {@code name} as the engine's parameter: the same array. */
    Parameter shared(String name) {
        return Parameter.of(prefix + name, sd.getVariable(prefix + name).getArr());
    }

    /** Records the engine's twin of the graph ops just built under {@code name}. */
    void built(String name, Layer layer) {
        if (layers.put(name, layer) != null) {
            throw new IllegalStateException("two layers named " + name);
        }
    }

    /** The engine layer built under {@code name}. */
    Layer layer(String name) {
        Layer l = layers.get(name);
        if (l == null) {
            throw new IllegalStateException("no layer named " + name);
        }
        return l;
    }

    /**
     * The network: the pooled features {@code [n, c]} through one linear layer of {@code fcW} weights to the logits.
     *
     * @param engine   the engine's layers up to the pooled features, in order (the classifier is added here)
     * @param tapAfter for each hidden output, the index in {@code engine} of the layer giving it
     */
    Network finish(SDVariable pooled, int classes, INDArray fcW, List<SDVariable> hidden, List<long[]> shapes, List<Layer> engine,
                   List<Integer> tapAfter) {
        SDVariable w = init.param("fc_W", fcW);
        SDVariable b = init.param("fc_b", Nd4j.zeros(init.type(), 1, classes));
        SDVariable logits = sd.identity(prefix + "logits", pooled.mmul(w).add(b));
        List<Layer> all = new ArrayList<>(engine);
        all.add(new Linear(shared("fc_W"), shared("fc_b")));
        LayerNet net = new LayerNet(all, tapAfter.stream().mapToInt(Integer::intValue).toArray(),
                new long[]{shape.channels(), shape.height(), shape.width()});
        return new Network(sd, input, logits, List.copyOf(hidden), List.copyOf(shapes), List.of(), init.params(), init.paramCount(),
                flag(), List.copyOf(norms), net);
    }
}
