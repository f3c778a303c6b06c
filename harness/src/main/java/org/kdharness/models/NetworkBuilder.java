package org.kdharness.models;

import org.kdharness.config.ModelSpec;
import org.kdharness.engine.Activation;
import org.kdharness.engine.ActivationFunction;
import org.kdharness.engine.Conv2d;
import org.kdharness.engine.Dropout;
import org.kdharness.engine.Flatten;
import org.kdharness.engine.Layer;
import org.kdharness.engine.LayerNet;
import org.kdharness.engine.Linear;
import org.kdharness.engine.Parameter;
import org.kdharness.engine.Pool2d;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds an MLP, a small CNN or (through {@link ResNetBuilder}) a residual network from a
 * {@link ModelSpec} into a SameDiff graph.
 *
 * <p>Why one builder for teacher and student: the same spec always yields the same graph
 * and, for a given seed, the same initial weights (He-normal from a seeded
 * {@link Random}), so every method of a seed starts the student from identical weights
 * and comparisons between methods are paired.
 */
public final class NetworkBuilder {

    /** Input image geometry. */
    public record InputShape(int channels, int height, int width) {
        public long size() {
            return (long) channels * height * width;
        }
    }

    private final SameDiff sd;
    private final String prefix;
    private final Random rng;
    private final List<String> params = new ArrayList<>();
    private long paramCount;

    List<String> params() {
        return List.copyOf(params);
    }

    long paramCount() {
        return paramCount;
    }

    /** FLOAT, except in gradient checks of the residual network ({@link #buildResNet}), which need double precision. */
    private final DataType type;

    private NetworkBuilder(SameDiff sd, String prefix, long seed, DataType type) {
        this.sd = sd;
        this.prefix = prefix;
        this.rng = new Random(seed);
        this.type = type;
    }

    DataType type() {
        return type;
    }

    /**
     * Adds the network to {@code sd}; variable names start with {@code prefix}.
     *
     * @param seed seeds the initial weights
     */
    public static Network build(SameDiff sd, String prefix, ModelSpec spec, InputShape shape, int classes, long seed) {
        return new NetworkBuilder(sd, prefix, seed, DataType.FLOAT).build(spec, shape, classes);
    }

    /**
     * A residual network or VGG in {@code type} (the same weights, drawn in the same order, as {@link #build});
     * double precision lets finite differences check its gradients with steps too small to cross a ReLU's kink.
     */
    static Network buildIn(DataType type, SameDiff sd, ModelSpec spec, InputShape shape, int classes, long seed) {
        if (!spec.residual() && !spec.vgg()) {
            throw new IllegalArgumentException("only residual networks and VGGs are built in another precision");
        }
        return new NetworkBuilder(sd, "", seed, type).build(spec, shape, classes);
    }

    private Network build(ModelSpec spec, InputShape shape, int classes) {
        if (spec.vgg()) {
            return new VggBuilder(this, sd, prefix).build(spec, shape, classes);
        }
        if (spec.residual()) {
            return new ResNetBuilder(this, sd, prefix).build(spec, shape, classes);
        }
        SDVariable input = sd.placeHolder(prefix + "input", DataType.FLOAT, -1, shape.size());
        List<SDVariable> hidden = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        List<Network.DropoutMask> masks = new ArrayList<>();
        SDVariable x = input;
        long c = shape.channels(), h = shape.height(), w = shape.width();
        // the engine's twin, layer by layer from the same arrays; a tap after the layer giving each hidden output
        List<Layer> engine = new ArrayList<>();
        List<Integer> tapAfter = new ArrayList<>();
        if (!spec.conv().isEmpty()) {
            x = sd.reshape(x, -1, c, h, w);
            int i = 1;
            for (ModelSpec.ConvBlock b : spec.conv()) {
                SDVariable wt = param("conv" + i + "_W", he(c * b.kernel() * b.kernel(), b.kernel(), b.kernel(), c, b.filters()));
                SDVariable bias = param("conv" + i + "_b", Nd4j.zeros(DataType.FLOAT, b.filters()));
                x = sd.cnn.conv2d(x, wt, bias, Conv2DConfig.builder().kH(b.kernel()).kW(b.kernel())
                        .paddingMode(PaddingMode.SAME).build());
                x = Activations.apply(sd, spec.activation(), x);
                engine.add(Conv2d.same(shared(wt), shared(bias)));
                c = b.filters();
                // a non-decreasing activation commutes with the maximum: the engine pools first and activates a
                // quarter of the values (the same outputs, gradients to rounding; 1 ms less per step of a 16-channel
                // 28x28 block)
                boolean poolFirst = b.pool() && ActivationFunction.of(spec.activation()).nonDecreasing();
                if (!poolFirst) {
                    engine.add(Activation.of(spec.activation(), DataType.FLOAT));
                }
                if (b.pool()) {
                    x = sd.cnn.maxPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).build());
                    engine.add(Pool2d.max(2, DataType.FLOAT));
                    h /= 2;
                    w /= 2;
                }
                if (poolFirst) {
                    engine.add(Activation.of(spec.activation(), DataType.FLOAT));
                }
                x = sd.identity(prefix + "h" + i, x);
                hidden.add(x);
                shapes.add(new long[]{c, h, w});
                tapAfter.add(engine.size() - 1);
                i++;
            }
            x = sd.reshape(x, -1, c * h * w);
        }
        engine.add(new Flatten());
        long in = c * h * w;
        int layer = spec.conv().size() + 1;
        for (int width : spec.hidden()) {
            SDVariable wt = param("dense" + layer + "_W", he(in, in, width));
            SDVariable bias = param("dense" + layer + "_b", Nd4j.zeros(DataType.FLOAT, 1, width));
            x = Activations.apply(sd, spec.activation(), x.mmul(wt).add(bias));
            engine.add(new Linear(shared(wt), shared(bias)));
            engine.add(Activation.of(spec.activation(), DataType.FLOAT));
            if (spec.dropout() > 0) {
                String maskName = prefix + "dropmask" + layer;
                masks.add(new Network.DropoutMask(maskName, width, spec.dropout()));
                x = x.mul(sd.placeHolder(maskName, DataType.FLOAT, -1, width));
                engine.add(new Dropout(spec.dropout(), DataType.FLOAT));
            }
            tapAfter.add(engine.size() - 1);
            x = sd.identity(prefix + "h" + layer, x);
            hidden.add(x);
            shapes.add(new long[]{width});
            in = width;
            layer++;
        }
        SDVariable wt = param("out_W", glorot(in, classes));
        SDVariable bias = param("out_b", Nd4j.zeros(DataType.FLOAT, 1, classes));
        SDVariable logits = sd.identity(prefix + "logits", x.mmul(wt).add(bias));
        engine.add(new Linear(shared(wt), shared(bias)));
        LayerNet net = new LayerNet(engine, tapAfter.stream().mapToInt(Integer::intValue).toArray(),
                new long[]{shape.channels(), shape.height(), shape.width()});
        return new Network(sd, input, logits, List.copyOf(hidden), List.copyOf(shapes), List.copyOf(masks),
                List.copyOf(params), paramCount, null, List.of(), net);
    }

    /** The trained variable {@code v} as the engine's parameter: the same array. */
    private static Parameter shared(SDVariable v) {
        return Parameter.of(v.name(), v.getArr());
    }

    /** A trained variable of the deployed network. */
    SDVariable param(String name, INDArray init) {
        params.add(prefix + name);
        paramCount += init.length();
        return sd.var(prefix + name, init);
    }

    /** He-normal: N(0, 2/fanIn), suited to ReLU-family activations. */
    INDArray he(long fanIn, long... shape) {
        return gaussian(Math.sqrt(2.0 / fanIn), shape);
    }

    /** Glorot-normal for the output layer. */
    INDArray glorot(long in, long out) {
        return gaussian(Math.sqrt(2.0 / (in + out)), in, out);
    }

    /** N(0, std²) weights from this builder's seeded generator. */
    INDArray gaussianOf(double std, long... shape) {
        return gaussian(std, shape);
    }

    private INDArray gaussian(double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
        return Nd4j.create(v, shape, DataType.FLOAT).castTo(type);
    }
}
