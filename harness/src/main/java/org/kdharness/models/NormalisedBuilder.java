package org.kdharness.models;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * What the BatchNorm families (resnet, wrn, vgg) build alike: the image input, the training flag,
 * BatchNorm layers recorded for the trainer and the teacher cache, and the finished network.
 */
abstract class NormalisedBuilder {

    final NetworkBuilder init;
    final SameDiff sd;
    final String prefix;
    private final List<Network.BatchNorm> norms = new ArrayList<>();
    private SDVariable input;
    private SDVariable training;

    NormalisedBuilder(NetworkBuilder init, SameDiff sd, String prefix) {
        this.init = init;
        this.sd = sd;
        this.prefix = prefix;
    }

    /** The input placeholder and the training flag; returns the input as {@code [n, c, h, w]} maps. */
    SDVariable images(NetworkBuilder.InputShape shape) {
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
        return bn.output();
    }

    /** The network: the pooled features {@code [n, c]} through one linear layer of {@code fcW} weights to the logits. */
    Network finish(SDVariable pooled, int classes, INDArray fcW, List<SDVariable> hidden, List<long[]> shapes) {
        SDVariable w = init.param("fc_W", fcW);
        SDVariable b = init.param("fc_b", Nd4j.zeros(init.type(), 1, classes));
        SDVariable logits = sd.identity(prefix + "logits", pooled.mmul(w).add(b));
        return new Network(sd, input, logits, List.copyOf(hidden), List.copyOf(shapes), List.of(), init.params(), init.paramCount(),
                null, null, flag(), List.copyOf(norms));
    }
}
