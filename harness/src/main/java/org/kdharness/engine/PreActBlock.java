package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * A pre-activated wide residual block (Zagoruyko and Komodakis 2016, as RepDistiller's
 * {@code wrn.py}): {@code pre = relu(bn1(x))}, {@code conv2(relu(bn2(conv1(pre)))) + shortcut},
 * the shortcut {@code x} where the channels agree, else a 1x1 convolution of {@code pre}.
 */
public final class PreActBlock extends BufferedLayer {

    private final List<Layer> pre;
    private final List<Layer> branch;
    /** The 1x1 convolution of {@code pre}, or null for the identity shortcut from {@code x}. */
    private final Layer projection;
    /** The network's short-lived arrays (a block alone keeps its own). */
    private ArrayPool pool = new ArrayPool();

    /**
     * @param pre        bn1, relu
     * @param branch     conv1, bn2, relu, conv2
     * @param projection the shortcut's convolution, or null for the identity
     */
    public PreActBlock(List<Layer> pre, List<Layer> branch, Layer projection, org.nd4j.linalg.api.buffer.DataType type) {
        super(type);
        this.pre = List.copyOf(pre);
        this.branch = List.copyOf(branch);
        this.projection = projection;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray p = LayerNet.forward(pre, x, training, pool);
        INDArray y = LayerNet.forward(branch, p, training, pool);
        INDArray s = projection == null ? x : projection.forward(p, training);
        INDArray sum = buffers.output(training, y.shape());
        y.add(s, sum);
        if (!training) {
            // inference keeps nothing for a backward pass: every array but x and the sum is dead
            pool.giveBackExcept(x, y, p, s);
        }
        return sum;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dp = LayerNet.backward(branch, gradient, pool);
        if (projection != null) {
            INDArray t = projection.backward(gradient);
            dp.addi(t);
            pool.giveBack(t);
        }
        INDArray dx = LayerNet.consumed(pool, dp, LayerNet.backward(pre, dp, pool));
        return projection == null ? dx.addi(gradient) : dx;
    }

    @Override
    public void share(ArrayPool pool) {
        super.share(pool);
        this.pool = pool;
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

    /** Every layer with parameters or state, in order. */
    private List<Layer> all() {
        List<Layer> out = new ArrayList<>(pre);
        out.addAll(branch);
        if (projection != null) {
            out.add(projection);
        }
        return out;
    }
}
