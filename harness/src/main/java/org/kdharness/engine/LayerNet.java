package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A network as the engine runs it: layers in order, the outputs of some of them exposed as taps
 * (what feature distillation compares), the last one's output the logits.
 *
 * <p>Why taps by position: a method's layer terms are attached to tap outputs, as torchdistill's
 * forward hooks attach to module paths; back, a tap's gradient joins the gradient flowing down at
 * the same point. The input arrives as the harness's rows {@code [n, c·h·w]} and is viewed as maps.
 */
public final class LayerNet {

    private final List<Layer> layers;
    private final int[] tapAfter;
    private final long[] image;
    /** The short-lived arrays of every layer: input gradients, inference outputs, scratch. */
    private final ArrayPool pool = new ArrayPool();
    /** The first layer with parameters: the backward pass ends there, without the input's gradient. */
    private final int firstTrained;

    /**
     * @param layers   in order; the last gives the logits {@code [n, classes]}
     * @param tapAfter for tap j (1-based) at index j - 1, the index of the layer whose output it is
     * @param image    the input's {@code [c, h, w]}
     */
    public LayerNet(List<Layer> layers, int[] tapAfter, long[] image) {
        this.layers = List.copyOf(layers);
        this.tapAfter = tapAfter.clone();
        this.image = image.clone();
        int first = 0;
        while (first < layers.size() - 1 && layers.get(first).parameters().isEmpty()) {
            first++;
        }
        this.firstTrained = first;
        this.layers.forEach(l -> l.share(pool));
        for (int t : tapAfter) {
            // a tap on the logits would add into the caller's logits gradient
            if (t >= layers.size() - 1) {
                throw new IllegalArgumentException("a tap on the last layer: the logits are not a tap");
            }
            if (t < firstTrained) {
                throw new IllegalArgumentException("a tap below the first trained layer: its gradient would reach no parameter");
            }
        }
    }

    /**
     * The logits and every tap, each flattened per example ({@code [n, d]}): views of the layers'
     * buffers (training) or of the pool's arrays (inference), valid until the next pass, forward or backward,
     * and never after {@link #releasePooled}.
     */
    public record Outputs(INDArray logits, List<INDArray> taps) {
    }

    /**
     * A forward pass over the rows {@code x}; {@code training} as in {@link Layer#forward}. An inference pass keeps
     * only the logits and the taps: every other layer output goes back to the network's pool once the layer above has
     * read it, so a teacher holds a few maps per shape rather than one per layer. Its outputs are valid until the
     * next pass (forward or backward).
     */
    public Outputs forward(INDArray x, boolean training) {
        if (!training) {
            pool.reset();
        }
        long n = x.size(0);
        INDArray a = x.reshape('c', n, image[0], image[1], image[2]);
        INDArray[] taps = new INDArray[tapAfter.length];
        List<INDArray> tapped = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            INDArray next = layers.get(i).forward(a, training);
            a = training || isTapped(tapped, a) ? next : consumed(pool, a, next);
            for (int j = 0; j < tapAfter.length; j++) {
                if (tapAfter[j] == i) {
                    taps[j] = a.reshape('c', n, a.length() / n);
                    tapped.add(a);
                }
            }
        }
        return new Outputs(a, Arrays.asList(taps));
    }

    /** Whether {@code a} is one of {@code tapped} (by identity): a tap's array stays the caller's. */
    private static boolean isTapped(List<INDArray> tapped, INDArray a) {
        for (INDArray t : tapped) {
            if (t == a) {
                return true;
            }
        }
        return false;
    }

    /**
     * The backward pass after a training {@link #forward}: sets every parameter's gradient.
     *
     * @param logitsGradient {@code dL/dlogits}
     * @param tapGradients   {@code dL/dtap} by 1-based tap, flattened per example (may be empty)
     */
    public void backward(INDArray logitsGradient, Map<Integer, INDArray> tapGradients) {
        pool.reset();
        INDArray g = logitsGradient;
        for (int i = layers.size() - 1; i >= firstTrained; i--) {
            for (int j = 0; j < tapAfter.length; j++) {
                INDArray t = tapGradients.get(j + 1);
                if (tapAfter[j] == i && t != null) {
                    g = g.addi(t.reshape('c', g.shape()));
                }
            }
            if (i == firstTrained) {
                layers.get(i).backwardParameters(g);
            } else {
                g = consumed(pool, g, layers.get(i).backward(g));
            }
        }
    }

    /**
     * {@code next}, the gradient a layer returned for {@code g}, after giving {@code g} back to {@code pool} (nothing
     * reads it any more) unless {@code next} is a view of it (a reshape).
     */
    static INDArray consumed(ArrayPool pool, INDArray g, INDArray next) {
        if (!next.isView() && next.data() != g.data()) {
            pool.giveBack(g);
        }
        return next;
    }

    /**
     * Frees the network's pooled arrays (what a pass took: inference outputs, input gradients, scratch) at once, not
     * when the collector finds them, once the caller has copied what it needs: reading the last inference pass's
     * outputs after it reads freed memory. Safe because no layer keeps a pool array across passes (a training step
     * keeps only its layers' own outputs); a student's next step allocates its few gradient arrays again.
     */
    public void releasePooled() {
        pool.release();
    }

    /** How many arrays the network's pool has allocated (tests of what a pass keeps). */
    public int pooledArrays() {
        return pool.allocated();
    }

    /** The dropout layers, in order: a training step sets their masks before each forward pass. */
    public List<Dropout> dropouts() {
        return layers.stream().filter(l -> l instanceof Dropout).map(l -> (Dropout) l).toList();
    }

    /**
     * Sets every BatchNorm layer's running statistics to the population statistics of {@code x}'s rows, measured
     * in training mode in chunks of {@code batch} rows (each normalised with its own statistics, as in training).
     */
    public void measureStatistics(INDArray x, int batch) {
        layers.forEach(l -> l.measure(true));
        long n = x.size(0);
        for (long from = 0; from < n; from += batch) {
            forward(x.get(NDArrayIndex.interval(from, Math.min(n, from + batch)), NDArrayIndex.all()).dup(), true);
        }
        layers.forEach(l -> l.measure(false));
    }

    public List<Parameter> parameters() {
        return parametersOf(layers);
    }

    public List<INDArray> state() {
        return stateOf(layers);
    }

    /** The parameters of every layer of {@code layers}, in order (what a composite layer reports). */
    static List<Parameter> parametersOf(List<Layer> layers) {
        List<Parameter> out = new ArrayList<>();
        layers.forEach(l -> out.addAll(l.parameters()));
        return out;
    }

    /** The state of every layer of {@code layers}, in order. */
    static List<INDArray> stateOf(List<Layer> layers) {
        List<INDArray> out = new ArrayList<>();
        layers.forEach(l -> out.addAll(l.state()));
        return out;
    }

    /**
     * {@code layers} in order (none: {@code x} itself); in inference, the outputs between them are given back to
     * {@code pool} once read ({@code x} stays the caller's).
     */
    static INDArray forward(List<Layer> layers, INDArray x, boolean training, ArrayPool pool) {
        INDArray a = x;
        for (Layer l : layers) {
            INDArray next = l.forward(a, training);
            a = training || a == x ? next : consumed(pool, a, next);
        }
        return a;
    }

    /**
     * {@code layers} backward in reverse order (none: {@code g} itself), giving the gradients between them back to
     * {@code pool}; {@code g} stays the caller's.
     */
    static INDArray backward(List<Layer> layers, INDArray g, ArrayPool pool) {
        INDArray d = g;
        for (int i = layers.size() - 1; i >= 0; i--) {
            INDArray next = layers.get(i).backward(d);
            d = d == g ? next : consumed(pool, d, next);
        }
        return d;
    }
}
