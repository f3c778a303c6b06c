package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * A post-activated residual block (He et al. 2016, as RepDistiller's {@code BasicBlock}):
 * {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, the shortcut {@code x} itself or
 * {@code bn(conv1x1(x))} where the stride or the channels change. Back, the gradient of the sum
 * goes to both branches and their input gradients add.
 */
public final class BasicBlock extends BufferedLayer {

    private final List<Layer> branch;
    /** The projection shortcut's convolution and BatchNorm, or empty for the identity. */
    private final List<Layer> shortcut;
    private final Relu relu;
    /** The network's short-lived arrays (a block alone keeps its own). */
    private ArrayPool pool = new ArrayPool();

    /**
     * @param branch   conv1, bn1, relu, conv2, bn2
     * @param shortcut conv, bn; or empty for the identity
     */
    public BasicBlock(List<Layer> branch, List<Layer> shortcut, Relu relu, org.nd4j.linalg.api.buffer.DataType type) {
        super(type);
        this.branch = List.copyOf(branch);
        this.shortcut = List.copyOf(shortcut);
        this.relu = relu;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = LayerNet.forward(branch, x, training, pool);
        INDArray s = LayerNet.forward(shortcut, x, training, pool);
        INDArray sum = buffers.output(training, y.shape());
        y.add(s, sum);
        if (!training) {
            // inference keeps nothing for a backward pass: the branch's and the shortcut's outputs are dead
            pool.giveBackExcept(x, y, s);
        }
        return relu.forward(sum, training);
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray g = relu.backward(gradient);
        INDArray dx = LayerNet.backward(branch, g, pool);
        INDArray s = LayerNet.backward(shortcut, g, pool);
        dx.addi(s);
        if (s != g && !s.isView()) {
            pool.giveBack(s);
        }
        pool.giveBack(g);
        return dx;
    }

    @Override
    public void share(ArrayPool pool) {
        super.share(pool);
        this.pool = pool;
        relu.share(pool);
        all().forEach(l -> l.share(pool));
    }

    @Override
    public void measure(boolean on) {
        all().forEach(l -> l.measure(on));
    }

    @Override
    public List<Parameter> parameters() {
        return LayerNet.parametersOf(all());
    }

    @Override
    public List<INDArray> state() {
        return LayerNet.stateOf(all());
    }

    private List<Layer> all() {
        List<Layer> out = new ArrayList<>(branch);
        out.addAll(shortcut);
        return out;
    }
}
