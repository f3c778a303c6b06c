package org.kdharness.models;

import org.kdharness.config.ModelSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

import org.kdharness.engine.BasicBlock;
import org.kdharness.engine.Conv2d;
import org.kdharness.engine.GlobalAvgPool;
import org.kdharness.engine.Layer;
import org.kdharness.engine.PreActBlock;
import org.kdharness.engine.Relu;

import java.util.ArrayList;
import java.util.List;

/**
 * A CIFAR-style residual network with BatchNorm, as RepDistiller's {@code models/resnet.py}
 * (and, pre-activated, its {@code models/wrn.py}: see {@link #wideBlock})
 * defines resnet8x4, resnet32x4 and resnet20/32/56: a 3x3 stem, three stages of n = (depth-2)/6
 * basic blocks (the second and third stage start with stride 2), global average pooling and a
 * linear classifier. A basic block is {@code relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x))},
 * the shortcut a 1x1 convolution with BatchNorm where the stride or the channels change.
 * Convolutions have no bias (BatchNorm's beta takes its place) and PyTorch's padding (1 on each
 * side of a 3x3), so spatial sizes match PyTorch's; convolution weights are He-normal over the
 * fan-out as RepDistiller initialises them (the classifier is Glorot-normal with zero bias, as
 * this builder's other networks, where PyTorch's default is uniform). The pooling is global
 * (RepDistiller's {@code AvgPool2d(8)} is global at 32x32 only).
 *
 * <p>Taps: the three stages' outputs (maps) and the pooled features (a vector), named
 * {@code stage1}, {@code stage2}, {@code stage3}, {@code pool}; with {@code taps: blocks}, every block's output
 * ({@code stage1.block1} ..) and then the pooled features.
 *
 * <p>BatchNorm: {@link BatchNormLayer}, batch statistics while the training flag is 1, running
 * ones at inference.
 *
 * <p>The engine's twin ({@link Network#engine()}) is built beside each op, from the same arrays:
 * {@link BasicBlock} or {@link PreActBlock} per block.
 */
final class ResNetBuilder extends NormalisedBuilder {

    ResNetBuilder(NetworkBuilder init, SameDiff sd, String prefix) {
        super(init, sd, prefix);
    }

    Network build(ModelSpec spec, NetworkBuilder.InputShape shape, int classes) {
        SDVariable x = images(shape);
        List<Integer> ch = spec.resnetChannels();
        long c = ch.get(0), h = shape.height(), w = shape.width();
        x = conv(x, shape.channels(), c, 3, 1, "stem");
        List<Layer> engine = new ArrayList<>(List.of(layer("stem")));
        if (!spec.wrn()) {
            x = sd.nn.relu(bn(x, c, "stem_bn"), 0); // a WRN's blocks are pre-activated: its stem is the convolution alone
            engine.add(layer("stem_bn"));
            engine.add(relu());
        }
        List<SDVariable> hidden = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        List<Integer> tapAfter = new ArrayList<>();
        for (int stage = 1; stage <= 3; stage++) {
            for (int block = 1; block <= spec.blocksPerStage(); block++) {
                int stride = stage > 1 && block == 1 ? 2 : 1;
                long out = ch.get(stage);
                x = spec.wrn() ? wideBlock(x, c, out, stride, "s" + stage + "b" + block) : block(x, c, out, stride, "s" + stage + "b" + block);
                engine.add(layer("s" + stage + "b" + block));
                h = stride == 2 ? (h - 1) / 2 + 1 : h;
                w = stride == 2 ? (w - 1) / 2 + 1 : w;
                c = out;
                if (spec.blockTaps() || block == spec.blocksPerStage()) {
                    // every block's output with block taps, else each stage's last
                    x = sd.identity(prefix + "h" + (hidden.size() + 1), x);
                    hidden.add(x);
                    shapes.add(new long[]{c, h, w});
                    tapAfter.add(engine.size() - 1);
                }
            }
        }
        if (spec.wrn()) {
            x = sd.nn.relu(bn(x, c, "final_bn"), 0); // pre-activation's last BatchNorm and ReLU, after the stage-3 tap
            engine.add(layer("final_bn"));
            engine.add(relu());
        }
        SDVariable pooled = sd.identity(prefix + "h" + (hidden.size() + 1), x.mean(2, 3));
        hidden.add(pooled);
        shapes.add(new long[]{c});
        engine.add(new GlobalAvgPool(init.type()));
        tapAfter.add(engine.size() - 1);
        return finish(pooled, classes, init.glorot(c, classes), hidden, shapes, engine, tapAfter);
    }

    private Relu relu() {
        return new Relu(init.type());
    }

    private SDVariable block(SDVariable x, long in, long out, int stride, String name) {
        SDVariable y = sd.nn.relu(bn(conv(x, in, out, 3, stride, name + "_conv1"), out, name + "_bn1"), 0);
        y = bn(conv(y, out, out, 3, 1, name + "_conv2"), out, name + "_bn2");
        boolean identity = stride == 1 && in == out;
        SDVariable shortcut = identity ? x : bn(conv(x, in, out, 1, stride, name + "_down"), out, name + "_down_bn");
        built(name, new BasicBlock(List.of(layer(name + "_conv1"), layer(name + "_bn1"), relu(), layer(name + "_conv2"), layer(name + "_bn2")),
                identity ? List.of() : List.of(layer(name + "_down"), layer(name + "_down_bn")), relu(), init.type()));
        return sd.nn.relu(y.add(shortcut), 0);
    }

    /**
     * A WRN block, pre-activated: {@code conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut}, where the shortcut is
     * {@code x} when the channels agree, else a 1x1 convolution of the pre-activated {@code relu(bn1(x))}.
     */
    private SDVariable wideBlock(SDVariable x, long in, long out, int stride, String name) {
        SDVariable pre = sd.nn.relu(bn(x, in, name + "_bn1"), 0);
        SDVariable y = sd.nn.relu(bn(conv(pre, in, out, 3, stride, name + "_conv1"), out, name + "_bn2"), 0);
        y = conv(y, out, out, 3, 1, name + "_conv2");
        SDVariable sum = y.add(in == out ? x : conv(pre, in, out, 1, stride, name + "_short"));
        built(name, new PreActBlock(List.of(layer(name + "_bn1"), relu()),
                List.of(layer(name + "_conv1"), layer(name + "_bn2"), relu(), layer(name + "_conv2")),
                in == out ? null : layer(name + "_short"), init.type()));
        return sum;
    }

    private SDVariable conv(SDVariable x, long in, long out, int k, int stride, String name) {
        SDVariable w = init.param(name + "_W", init.he(out * k * k, k, k, in, out));
        built(name, new Conv2d(shared(name + "_W"), null, stride));
        return sd.cnn.conv2d(x, w, Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(k / 2).pW(k / 2)
                .paddingMode(PaddingMode.VALID).build());
    }

}
