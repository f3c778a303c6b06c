package org.kdharness.models;

import org.junit.jupiter.api.Test;
import org.kdharness.config.ModelSpec;
import org.kdharness.engine.LayerNet;
import org.kdharness.engine.Parameter;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's layers against the oracle: the same network's SameDiff graph (itself pinned against finite
 * differences in {@code ResNetTest}, {@code VggTest} and {@code BatchNormLayerTest}), sharing its arrays. For a loss
 * on the logits and on taps, every parameter's engine gradient equals the graph's autodiff gradient; the forward
 * passes agree in training and inference mode; BatchNorm's running statistics follow PyTorch's momentum rule.
 * In double precision (libnd4j's generic kernels, tight tolerances) and in float (oneDNN's kernels, what training runs).
 */
class EngineGradientTest {

    private static final ModelSpec RESNET8 = new ModelSpec("resnet", null, null, null, null, 8, 1);
    private static final ModelSpec WRN10 = new ModelSpec("wrn", null, null, null, null, 10, 2);
    private static final ModelSpec VGG8 = new ModelSpec("vgg", null, null, null, null, 8, null);

    @Test
    void residualBlocksMatchTheGraphInDouble() {
        check(RESNET8, DataType.DOUBLE, 1e-6);
    }

    @Test
    void preActivatedBlocksMatchTheGraphInDouble() {
        check(WRN10, DataType.DOUBLE, 1e-6);
    }

    @Test
    void vggMatchesTheGraphInDouble() {
        check(VGG8, DataType.DOUBLE, 1e-6);
    }

    /**
     * A tap after every block: inside a stage the next block takes maps of the tapped shape from the pool, so a tap
     * given back too early would be overwritten before the inference comparison reads it.
     */
    @Test
    void blockTapsSurviveAnInferencePassInDouble() {
        check(new ModelSpec("resnet", null, null, null, null, 14, null, "blocks", null), DataType.DOUBLE, 1e-6);
        check(new ModelSpec("wrn", null, null, null, null, 16, 1, "blocks", null), DataType.DOUBLE, 1e-6);
    }

    @Test
    void oneDnnKernelsMatchTheGraphInFloat() {
        check(RESNET8, DataType.FLOAT, 2e-3);
        check(WRN10, DataType.FLOAT, 2e-3);
    }

    private static void check(ModelSpec spec, DataType type, double tolerance) {
        int n = 6, classes = 3, size = 8;
        Network net = NetworkBuilder.buildIn(type, SameDiff.create(), spec, new NetworkBuilder.InputShape(1, size, size), classes, 5);
        LayerNet engine = net.engine();
        assertTrue(engine != null, spec.shortName() + " has an engine twin");
        SameDiff sd = net.sd();
        Random r = new Random(3);
        INDArray x = gaussian(r, type, n, size * size);
        // loss = sum(logits ∘ A) + Σ_j sum(tap_j ∘ B_j) over every tap, so each tap's gradient path is exercised
        INDArray a = gaussian(r, type, n, classes);
        SDVariable loss = net.logits().mul(sd.constant("A", a)).sum();
        Map<Integer, INDArray> tapGradients = new HashMap<>();
        for (int j = 1; j <= net.hidden().size(); j++) {
            INDArray b = gaussian(r, type, n, net.hiddenSize(j)).muli(0.3);
            tapGradients.put(j, b);
            SDVariable flat = sd.reshape(net.hidden().get(j - 1), -1, net.hiddenSize(j));
            loss = loss.add(flat.mul(sd.constant("B" + j, b)).sum());
        }
        sd.setLossVariables(sd.identity("loss", loss));
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(net.input().name(), x);
        ph.put(net.trainingFlag(), Nd4j.ones(type, n, 1));
        List<String> names = net.params();
        Map<String, INDArray> oracle = sd.calculateGradients(ph, names.toArray(String[]::new));
        Map<String, INDArray> graphOut = sd.output(ph, net.logits().name(), net.hidden().get(0).name());

        // a first pass on other rows, so that the compared pass reuses the arrays of the pool after its reset
        engine.forward(gaussian(new Random(11), type, n, size * size), true);
        engine.backward(gaussian(new Random(12), type, n, classes), tapGradients);
        List<INDArray> runningBefore = new ArrayList<>();
        engine.state().forEach(s -> runningBefore.add(s.dup()));
        LayerNet.Outputs out = engine.forward(x, true);
        assertClose(graphOut.get(net.logits().name()), out.logits(), tolerance, spec.shortName() + " training logits");
        assertClose(graphOut.get(net.hidden().get(0).name()).reshape(n, net.hiddenSize(1)), out.taps().get(0), tolerance,
                spec.shortName() + " tap 1");
        engine.backward(a.dup(), tapGradients);
        assertEquals(names.size(), engine.parameters().size(), "the engine trains every parameter of the graph");
        int real = 0;
        double largest = oracle.values().stream().mapToDouble(g -> g.amaxNumber().doubleValue()).max().orElseThrow();
        for (Parameter p : engine.parameters()) {
            INDArray expected = oracle.get(p.name());
            if (expected.amaxNumber().doubleValue() > 1e-4) {
                real++;
                assertClose(expected, p.gradient(), tolerance, spec.shortName() + " gradient of " + p.name());
            } else {
                // a convolution's bias just before BatchNorm has none (the batch mean takes it away): both are rounding,
                // measured against the network's largest gradient
                assertTrue(p.gradient().amaxNumber().doubleValue() <= tolerance * largest, p.name() + " has no gradient");
            }
        }
        assertTrue(real >= 0.7 * names.size(), spec.shortName() + ": real gradients compared (" + real + " of " + names.size() + ")");

        // running statistics: r <- 0.9 r + 0.1 batch (the variance unbiased), from zeros and ones
        List<INDArray> state = engine.state();
        Network.BatchNorm first = net.batchNorms().get(0);
        INDArray batchMean = sd.output(ph, first.batchMean()).get(first.batchMean());
        INDArray batchVar = sd.output(ph, first.batchVar()).get(first.batchVar());
        long count = n * (long) size * size; // the first BatchNorm sees full-size maps
        assertClose(runningBefore.get(0).mul(0.9).add(batchMean.mul(0.1)), state.get(0), tolerance, "running mean");
        assertClose(runningBefore.get(1).mul(0.9).add(batchVar.mul(0.1 * count / (count - 1))), state.get(1), tolerance, "running variance");

        // inference normalises with the running statistics, as the graph with its flag at 0
        Map<String, INDArray> inference = new HashMap<>(net.inferenceInputs(n));
        inference.put(net.input().name(), x);
        // twice: the second pass takes its outputs from the pool after its reset; every tap must survive the pass
        engine.forward(gaussian(new Random(13), type, n, size * size), false);
        String[] every = new String[net.hidden().size() + 1];
        every[0] = net.logits().name();
        for (int j = 1; j <= net.hidden().size(); j++) {
            every[j] = net.hidden().get(j - 1).name();
        }
        Map<String, INDArray> graphInference = sd.output(inference, every);
        LayerNet.Outputs engineInference = engine.forward(x, false);
        assertClose(graphInference.get(net.logits().name()), engineInference.logits(), tolerance, spec.shortName() + " inference logits");
        for (int j = 1; j <= net.hidden().size(); j++) {
            assertClose(graphInference.get(net.hidden().get(j - 1).name()).reshape(n, net.hiddenSize(j)), engineInference.taps().get(j - 1),
                    tolerance, spec.shortName() + " inference tap " + j);
        }
    }

    /**
     * An inference pass keeps the logits and the taps and reads every other layer output once: a network that only
     * infers (a teacher) holds a few pooled maps per shape, as many for a deep network as for a shallow one of the same
     * widths (one map per layer before: what made a teacher's forward cost 3.3x PyTorch's memory), and a second pass
     * allocates nothing.
     */
    @Test
    void anInferencePassHoldsAsManyMapsForADeepNetworkAsForAShallowOne() {
        ModelSpec resnet20 = new ModelSpec("resnet", null, null, null, null, 20, 1);
        ModelSpec wrn16 = new ModelSpec("wrn", null, null, null, null, 16, 2);
        ModelSpec wrn28 = new ModelSpec("wrn", null, null, null, null, 28, 2);
        // pinned (measured): at 8x8 input the stem and three stages give four shapes of maps, each with its live
        // outputs, BatchNorm's scratch and the kept tap, plus the pooled vector and logits; outputs that did not come
        // from the pool would leave only the scratch, outputs never given back would grow with the depth
        assertEquals(14, pooledAfterInference(RESNET8), "resnet8 (3 blocks)");
        assertEquals(14, pooledAfterInference(resnet20), "resnet20 (9 blocks)");
        assertEquals(pooledAfterInference(wrn16), pooledAfterInference(wrn28), "WRN-16-2 (2 blocks a stage) and WRN-28-2 (4)");
    }

    private static int pooledAfterInference(ModelSpec spec) {
        int n = 4, size = 8;
        Network net = NetworkBuilder.buildIn(DataType.FLOAT, SameDiff.create(), spec, new NetworkBuilder.InputShape(1, size, size), 3, 5);
        LayerNet engine = net.engine();
        engine.forward(gaussian(new Random(1), DataType.FLOAT, n, size * size), false);
        int first = engine.pooledArrays();
        engine.forward(gaussian(new Random(2), DataType.FLOAT, n, size * size), false);
        assertEquals(first, engine.pooledArrays(), spec.shortName() + ": a second pass allocates nothing");
        assertTrue(first > 0, spec.shortName() + ": the pass takes its maps from the pool");
        return first;
    }

    private static INDArray gaussian(Random r, DataType type, long rows, long cols) {
        double[] v = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.create(v, new long[]{rows, cols}, DataType.DOUBLE).castTo(type);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE).reshape(expected.length());
        INDArray g = actual.castTo(DataType.DOUBLE).reshape(actual.length());
        // relative to the expected array's own largest entry (a floor of 1e-3 for arrays that are all rounding)
        double scale = Math.max(1e-3, e.amaxNumber().doubleValue());
        double diff = e.sub(g).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max |difference| " + diff + " (scale " + scale + ")");
    }
}
