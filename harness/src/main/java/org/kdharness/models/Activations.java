package org.kdharness.models;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Maps a config's activation name to the SameDiff op.
 *
 * <p>Why: the graph (the test oracle, and the path of last resort) builds each name here; the engine runs the same
 * functions as {@code engine.ActivationFunction}, whose steps {@code PlainStepTest} checks against these ops' autodiff
 * for every name.
 */
final class Activations {

    private Activations() {
    }

    static SDVariable apply(SameDiff sd, String name, SDVariable x) {
        return switch (name) {
            case "relu" -> sd.nn.relu(x, 0.0);
            case "tanh" -> sd.math.tanh(x);
            case "sigmoid" -> sd.nn.sigmoid(x);
            case "leaky_relu" -> sd.nn.leakyRelu(x, 0.01);
            case "elu" -> sd.nn.elu(x);
            default -> throw new IllegalArgumentException("unknown activation '" + name + "'");
        };
    }
}
