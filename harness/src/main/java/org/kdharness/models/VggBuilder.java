package org.kdharness.models;

import org.kdharness.config.ModelSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import org.kdharness.engine.Conv2d;
import org.kdharness.engine.GlobalAvgPool;
import org.kdharness.engine.Layer;
import org.kdharness.engine.Pool2d;
import org.kdharness.engine.Relu;

import java.util.ArrayList;
import java.util.List;

/**
 * VGG with BatchNorm for CIFAR, as RepDistiller's {@code models/vgg.py} defines vgg8_bn, vgg11_bn,
 * vgg13_bn, vgg16_bn and vgg19_bn: five blocks of 3x3 convolutions (with bias, then BatchNorm and
 * ReLU), 2x2 max pooling after the first three blocks, global average pooling and one linear
 * layer. The fourth pooling RepDistiller applies only to 64-pixel inputs is left out, as it is
 * for 32x32 CIFAR.
 *
 * <p>Taps: each block's output after its ReLU (maps, before the pooling that follows),
 * {@code block0} to {@code block4}, and the pooled features, {@code pool}.
 */
final class VggBuilder extends NormalisedBuilder {

    VggBuilder(NetworkBuilder init, SameDiff sd, String prefix) {
        super(init, sd, prefix);
    }

    Network build(ModelSpec spec, NetworkBuilder.InputShape shape, int classes) {
        SDVariable x = images(shape);
        long c = shape.channels(), h = shape.height(), w = shape.width();
        List<SDVariable> hidden = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        List<List<Integer>> blocks = spec.vggBlocks();
        List<Layer> engine = new ArrayList<>();
        List<Integer> tapAfter = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            if (b > 0 && b <= 3) {
                x = sd.cnn.maxPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).build());
                engine.add(Pool2d.max(2, init.type()));
                h /= 2;
                w /= 2;
            }
            int i = 1;
            for (int out : blocks.get(b)) {
                String name = "b" + b + "c" + i++;
                SDVariable wt = init.param(name + "_W", init.he((long) out * 9, 3, 3, c, out));
                SDVariable bias = init.param(name + "_b", Nd4j.zeros(init.type(), out));
                x = sd.cnn.conv2d(x, wt, bias, Conv2DConfig.builder().kH(3).kW(3).pH(1).pW(1).paddingMode(PaddingMode.VALID).build());
                x = sd.nn.relu(bn(x, out, name + "_bn"), 0);
                engine.add(new Conv2d(shared(name + "_W"), shared(name + "_b"), 1));
                engine.add(layer(name + "_bn"));
                engine.add(new Relu(init.type()));
                c = out;
            }
            x = sd.identity(prefix + "h" + (b + 1), x);
            hidden.add(x);
            shapes.add(new long[]{c, h, w});
            tapAfter.add(engine.size() - 1);
        }
        SDVariable pooled = sd.identity(prefix + "h" + (blocks.size() + 1), x.mean(2, 3));
        hidden.add(pooled);
        shapes.add(new long[]{c});
        engine.add(new GlobalAvgPool(init.type()));
        tapAfter.add(engine.size() - 1);
        return finish(pooled, classes, init.gaussianOf(0.01, c, classes), hidden, shapes, engine, tapAfter); // RepDistiller's N(0, 0.01)
    }
}
