package org.kdharness.teacher;

import org.kdharness.train.Inference;
import org.kdharness.models.Network;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A teacher this harness built and trained: its graph, run in inference mode.
 *
 * <p>Inference on one graph is not safe from several threads at once: calls are serialised on this object.
 */
public final class NetworkTeacher implements FrozenTeacher {

    private final Network network;

    public NetworkTeacher(Network network) {
        this.network = network;
    }

    public Network network() {
        return network;
    }

    @Override
    public synchronized INDArray logits(INDArray x) {
        return Inference.logits(network, x);
    }

    @Override
    public synchronized INDArray tap(INDArray x, int layer) {
        return Inference.output(network, x, network.hidden().get(layer - 1).name());
    }

    @Override
    public List<long[]> tapShapes() {
        return network.hiddenShapes();
    }

    @Override
    public long paramCount() {
        return network.paramCount();
    }
}
