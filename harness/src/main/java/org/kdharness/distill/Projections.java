package org.kdharness.distill;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The trainable maps that bring a student layer onto a teacher layer's shape, shared by every
 * layer loss (FitNets-style hints, the learned association).
 *
 * <p>Why one class: how a narrower student layer is lifted (a linear map for vectors; average
 * pooling to the smaller spatial size, integer factors only, then a 1x1 convolution for
 * feature maps; a map paired with a vector flattened and mapped linearly) is one decision, and
 * the report's parameter counts, the layer engine's hint terms and the projections dropped after
 * training all read the names recorded here. Widths that already agree get no projection.
 * Initial weights are {@code N(0, 1/in)} from one generator seeded per trial, drawn in the
 * order projections are created.
 */
public final class Projections {

    /**
     * A student layer and a teacher layer brought to the same {@code [n, units]} shape.
     *
     * @param student       the (projected) student rows
     * @param teacher       the (pooled) teacher rows
     * @param projected     whether a trainable projection was created
     * @param convolutional whether that projection is a 1x1 convolution on feature maps
     */
    public record Aligned(SDVariable student, SDVariable teacher, boolean projected, boolean convolutional) {
    }

    private final SameDiff sd;
    private final Random rng;
    private final List<String> names = new ArrayList<>();

    public Projections(SameDiff sd, long seed) {
        this.sd = sd;
        this.rng = new Random(seed ^ 0x5DEECE66DL);
    }

    /** Names of every projection variable created so far (trained, never deployed). */
    public List<String> names() {
        return List.copyOf(names);
    }

    /**
     * {@code proj(h_s)} and {@code h_t} as rows of equal width; the projection's variables are
     * {@code name_W} and {@code name_b}.
     *
     * @param ss per-example shape of the student layer
     * @param tFlat the teacher layer, flattened per example
     * @param ts per-example shape of the teacher layer
     */
    public Aligned align(SDVariable hs, long[] ss, SDVariable tFlat, long[] ts, String name) {
        if (ss.length == 3 && ts.length == 3) {
            SDVariable[] st = sameSpatial(hs, ss, sd.reshape(tFlat, -1, ts[0], ts[1], ts[2]), ts);
            SDVariable p = ss[0] == ts[0] ? st[0] : conv1x1(st[0], ss[0], ts[0], name);
            long units = ts[0] * Math.min(ss[1], ts[1]) * Math.min(ss[1], ts[1]);
            return new Aligned(sd.reshape(p, -1, units), sd.reshape(st[1], -1, units), ss[0] != ts[0], true);
        }
        return new Aligned(linear(flat(sd, hs, ss), size(ss), size(ts), name), tFlat, size(ss) != size(ts), false);
    }

    /** Average-pools the larger of two square maps down to the smaller's height and width. */
    SDVariable[] sameSpatial(SDVariable s, long[] ss, SDVariable t, long[] ts) {
        if (ss[1] != ss[2] || ts[1] != ts[2]) {
            throw new IllegalArgumentException("feature maps must be square, got " + ss[1] + "x" + ss[2] + " and " + ts[1] + "x" + ts[2]);
        }
        long big = Math.max(ss[1], ts[1]), small = Math.min(ss[1], ts[1]);
        if (big % small != 0) {
            throw new IllegalArgumentException("spatial sizes " + ss[1] + " and " + ts[1] + " are not integer multiples; cannot pool one onto the other");
        }
        int k = (int) (big / small);
        if (k == 1) {
            return new SDVariable[]{s, t};
        }
        Pooling2DConfig pool = Pooling2DConfig.builder().kH(k).kW(k).sH(k).sW(k).build();
        return ss[1] > ts[1] ? new SDVariable[]{sd.cnn.avgPooling2d(s, pool), t} : new SDVariable[]{s, sd.cnn.avgPooling2d(t, pool)};
    }

    /** {@code x W + b}, or {@code x} itself when {@code in == out}. */
    SDVariable linear(SDVariable x, long in, long out, String name) {
        if (in == out) {
            return x;
        }
        return affine(x, in, out, name);
    }

    /** {@code x W + b} always (for maps whose widths agree by chance, e.g. attention queries). */
    public SDVariable affine(SDVariable x, long in, long out, String name) {
        SDVariable w = param(name + "_W", Math.sqrt(1.0 / in), in, out);
        SDVariable b = sd.var(name + "_b", Nd4j.zeros(DataType.FLOAT, 1, out));
        names.add(b.name());
        return x.mmul(w).add(b);
    }

    private SDVariable conv1x1(SDVariable x, long in, long out, String name) {
        SDVariable w = param(name + "_W", Math.sqrt(1.0 / in), 1, 1, in, out);
        SDVariable b = sd.var(name + "_b", Nd4j.zeros(DataType.FLOAT, out));
        names.add(b.name());
        return sd.cnn.conv2d(x, w, b, Conv2DConfig.builder().kH(1).kW(1).paddingMode(PaddingMode.VALID).build());
    }

    private SDVariable param(String name, double std, long... shape) {
        float[] v = new float[Math.toIntExact(size(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
        SDVariable w = sd.var(name, Nd4j.create(v, shape, DataType.FLOAT));
        names.add(w.name());
        return w;
    }

    /** {@code h} as {@code [n, prod(shape)]}. */
    public static SDVariable flat(SameDiff sd, SDVariable h, long[] shape) {
        return shape.length == 1 ? h : sd.reshape(h, -1, size(shape));
    }

    /** Elements of one example of that shape. */
    public static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
