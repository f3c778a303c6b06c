package org.kdharness.models;

import org.kdharness.train.Inference;
import org.junit.jupiter.api.Test;
import org.kdharness.config.ModelSpec;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CIFAR-style resnet: RepDistiller's structure and sizes, its taps, and gradients through residual blocks and pooling. */
class ResNetTest {

    private static Network build(ModelSpec spec, int channels, int size, int classes) {
        return NetworkBuilder.build(SameDiff.create(), "", spec, new NetworkBuilder.InputShape(channels, size, size), classes, 5);
    }

    /** Parameters of a 3x3 conv without bias plus its BatchNorm. */
    private static long convBn(long in, long out, int k) {
        return in * out * k * k + 2 * out;
    }

    @Test
    void blockTapsAreEveryBlocksOutputAndStageNamesTheStagesLastBlock() {
        ModelSpec stages = new ModelSpec("resnet", null, null, null, null, 20, null);
        ModelSpec blocks = new ModelSpec("resnet", null, null, null, null, 20, null, "blocks", null);
        assertEquals(List.of("stage1.block1", "stage1.block2", "stage1.block3", "stage2.block1", "stage2.block2", "stage2.block3",
                "stage3.block1", "stage3.block2", "stage3.block3", "pool"), blocks.tapNames());
        assertEquals(9, blocks.mapTapCount());
        assertEquals(10, blocks.hiddenLayerCount());
        assertEquals(6, blocks.tapIndex("stage2"), "stage2 is stage 2's last block");
        assertEquals(8, blocks.tapIndex("stage3.block2"));
        assertEquals(0, blocks.tapIndex("stage4"));
        assertEquals(new ModelSpec("resnet", null, null, null, null, 20, null, "stages", null), stages, "stages is the default");
        assertEquals(org.kdharness.config.ConfigHash.canonicalJson(stages),
                org.kdharness.config.ConfigHash.canonicalJson(new ModelSpec("resnet", null, null, null, null, 20, null, "stages", null)));

        // the same seed, the same weights: the stage taps are the block taps of each stage's last block
        Network s = build(stages, 1, 12, 10), b = build(blocks, 1, 12, 10);
        assertEquals(s.paramCount(), b.paramCount());
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 144);
        assertEquals(org.kdharness.train.Inference.logits(s, x), org.kdharness.train.Inference.logits(b, x));
        int[][] same = {{1, 3}, {2, 6}, {3, 9}, {4, 10}};
        for (int[] p : same) {
            assertEquals(org.kdharness.train.Inference.output(s, x, s.hidden().get(p[0] - 1).name()),
                    org.kdharness.train.Inference.output(b, x, b.hidden().get(p[1] - 1).name()), "stage tap " + p[0]);
        }
        assertArrayEquals(new long[]{16, 12, 12}, b.hiddenShapes().get(0));
        assertArrayEquals(new long[]{32, 6, 6}, b.hiddenShapes().get(3));
        assertArrayEquals(new long[]{64, 3, 3}, b.hiddenShapes().get(7));
        INDArray first = org.kdharness.train.Inference.output(b, x, b.hidden().get(0).name());
        INDArray third = org.kdharness.train.Inference.output(b, x, b.hidden().get(2).name());
        assertTrue(first.sub(third).norm2Number().doubleValue() > 1e-3, "each block has its own output");
    }

    @Test
    void resnet8x4HasRepDistillersLayersAndTaps() {
        ModelSpec spec = new ModelSpec("resnet", null, null, null, null, 8, 4);
        assertEquals("resnet8x4", spec.shortName());
        assertEquals(List.of(32, 64, 128, 256), spec.resnetChannels());
        // CIFAR-100 (3 x 32 x 32, 100 classes): stem, one block per stage, each with a projection shortcut (channels change)
        Network net = build(spec, 3, 32, 100);
        long expected = convBn(3, 32, 3)
                + convBn(32, 64, 3) + convBn(64, 64, 3) + convBn(32, 64, 1)
                + convBn(64, 128, 3) + convBn(128, 128, 3) + convBn(64, 128, 1)
                + convBn(128, 256, 3) + convBn(256, 256, 3) + convBn(128, 256, 1)
                + 256 * 100 + 100;
        assertEquals(expected, net.paramCount());
        assertEquals(1_233_540L, net.paramCount(), "1.23 M (CRD's table lists resnet8x4 at 1.2 M)");
        assertEquals(List.of("stage1", "stage2", "stage3", "pool"), spec.tapNames());
        assertArrayEquals(new long[]{64, 32, 32}, net.hiddenShapes().get(0));
        assertArrayEquals(new long[]{128, 16, 16}, net.hiddenShapes().get(1));
        assertArrayEquals(new long[]{256, 8, 8}, net.hiddenShapes().get(2));
        assertArrayEquals(new long[]{256}, net.hiddenShapes().get(3));
        assertEquals(3 * 3 + 1, net.batchNorms().size(), "stem, two per block, one per projection shortcut");
        assertEquals(2 * net.batchNorms().size(), net.state().size());

        // resnet20 (width 1): 16, 16, 32, 64 channels, three blocks per stage, identity shortcut in stage 1
        ModelSpec r20 = new ModelSpec("resnet", null, null, null, null, 20, null);
        assertEquals("resnet20", r20.shortName());
        Network n20 = build(r20, 3, 32, 100);
        assertEquals(1 + 3 * 2 * 3 + 2, n20.batchNorms().size(), "no projection in stage 1 (16 -> 16, stride 1)");
        assertEquals(278_324L, n20.paramCount(), "resnet20 on CIFAR-100 (RepDistiller: 0.28 M)");
    }

    @Test
    void wideResNetsHaveRepDistillersLayers() {
        ModelSpec wrn402 = new ModelSpec("wrn", null, null, null, null, 40, 2);
        assertEquals("wrn_40_2", wrn402.shortName());
        assertEquals(List.of(16, 32, 64, 128), wrn402.resnetChannels());
        assertEquals(6, wrn402.blocksPerStage());
        // CIFAR-100: the stem convolution alone; per block bn1, conv1, bn2, conv2, and a 1x1 shortcut where channels change;
        // a final BatchNorm; the classifier (2.26 M and 0.70 M in CRD's table)
        assertEquals(2_255_156L, build(wrn402, 3, 32, 100).paramCount());
        Network wrn162 = build(new ModelSpec("wrn", null, null, null, null, 16, 2), 3, 32, 100);
        assertEquals(703_284L, wrn162.paramCount());
        assertArrayEquals(new long[]{32, 32, 32}, wrn162.hiddenShapes().get(0));
        assertArrayEquals(new long[]{128, 8, 8}, wrn162.hiddenShapes().get(2));
        assertArrayEquals(new long[]{128}, wrn162.hiddenShapes().get(3));
        assertEquals(2 * 3 * 2 + 1, wrn162.batchNorms().size(), "two per block, one at the end; none on the stem");
    }

    @Test
    void fashionMnistSizesFollowPyTorchsPadding() {
        Network net = build(new ModelSpec("resnet", null, null, null, null, 8, 1), 1, 28, 10);
        assertArrayEquals(new long[]{16, 28, 28}, net.hiddenShapes().get(0));
        assertArrayEquals(new long[]{32, 14, 14}, net.hiddenShapes().get(1));
        assertArrayEquals(new long[]{64, 7, 7}, net.hiddenShapes().get(2));
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 28 * 28);
        Map<String, INDArray> ph = new HashMap<>(net.inferenceInputs(3));
        ph.put(net.input().name(), x);
        INDArray stage3 = net.sd().output(ph, net.hidden().get(2).name()).get(net.hidden().get(2).name());
        assertArrayEquals(new long[]{3, 64, 7, 7}, stage3.shape(), "the graph's maps have the recorded shapes");
        INDArray pool = net.sd().output(ph, net.hidden().get(3).name()).get(net.hidden().get(3).name());
        assertEquals(stage3.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.point(5))
                .meanNumber().doubleValue(), pool.getDouble(1, 5), 1e-5, "pool is the global average of stage 3");
    }

    @Test
    void nonSquareImagesKeepTheirAspect() {
        Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("resnet", null, null, null, null, 8, 1),
                new NetworkBuilder.InputShape(1, 28, 20), 10, 5);
        assertArrayEquals(new long[]{64, 7, 5}, net.hiddenShapes().get(2));
        Map<String, INDArray> ph = new HashMap<>(net.inferenceInputs(2));
        ph.put(net.input().name(), Nd4j.rand(DataType.FLOAT, 2, 28 * 20));
        assertArrayEquals(new long[]{2, 64, 7, 5}, net.sd().output(ph, net.hidden().get(2).name()).get(net.hidden().get(2).name()).shape());
    }

    @Test
    void earlyStoppingKeepsTheBestEpochsRunningStatistics() {
        Network net = build(new ModelSpec("resnet", null, null, null, null, 8, 1), 1, 8, 3);
        int n = 96;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
        }
        org.kdharness.data.ImageData train = new org.kdharness.data.ImageData(Nd4j.rand(DataType.FLOAT, n, 64), labels, 1, 8, 8, 3);
        org.kdharness.data.ImageData val = new org.kdharness.data.ImageData(Nd4j.rand(DataType.FLOAT, 30, 64),
                java.util.Arrays.copyOf(labels, 30), 1, 8, 8, 3);
        org.kdharness.distill.DistillationObjective obj = org.kdharness.distill.DistillationObjective.build(net,
                org.kdharness.distill.TrialSpec.of(org.kdharness.methods.DistillationRegistry.standard().method("baseline"), 1).build(), 3,
                List.of());
        List<INDArray> perEpoch = new java.util.ArrayList<>();
        String runningVar = net.batchNorms().get(2).runningVar();
        org.kdharness.train.Trainer.Result r = new org.kdharness.train.Trainer().fit(net,
                new org.kdharness.config.TrainingSpec(8, 16, 0.05, "sgd", 0.0, 1L, 3), 1, train, obj, List.of(train.oneHot()), val,
                (epoch, m) -> perEpoch.add(net.sd().getVariable(runningVar).getArr().dup()));
        assertTrue(r.bestEpoch() < r.epochsRun(), "the case restores an earlier epoch: best " + r.bestEpoch() + " of " + r.epochsRun());
        assertEquals(perEpoch.get(r.bestEpoch() - 1), net.sd().getVariable(runningVar).getArr(), "the kept epoch's running statistics");
    }

    @Test
    void gradientsThroughPreActivatedBlocksMatchFiniteDifferences() {
        gradientCheck(new ModelSpec("wrn", null, null, null, null, 10, 2), List.of("stem_W", "s1b1_bn1_gamma", "s1b1_conv2_W",
                "s2b1_short_W", "final_bn_beta", "fc_W"));
    }

    @Test
    void gradientsThroughResidualBlocksAndPoolingMatchFiniteDifferences() {
        // resnet8, width 1, 1 x 8 x 8 inputs: a projection block (stage 2, stride 2) and an identity one (stage 1)
        gradientCheck(new ModelSpec("resnet", null, null, null, null, 8, 1),
                List.of("stem_W", "s1b1_conv2_W", "s2b1_down_W", "s2b1_bn2_gamma", "s3b1_conv1_W", "fc_W"));
    }

    static void gradientCheck(ModelSpec spec, List<String> variables) {
        // in double precision, so that central differences with a tiny step are exact to many digits and rarely
        // cross a ReLU's kink (in float, a step large enough to rise above rounding crosses many)
        Network net = NetworkBuilder.buildIn(DataType.DOUBLE, SameDiff.create(), spec, new NetworkBuilder.InputShape(1, 8, 8), 3, 5);
        SameDiff sd = net.sd();
        Random r = new Random(3);
        double[] xs = new double[4 * 64];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = r.nextGaussian();
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(net.input().name(), Nd4j.create(xs, new long[]{4, 64}, DataType.DOUBLE));
        ph.put(net.trainingFlag(), Nd4j.ones(DataType.DOUBLE, 4, 1));
        INDArray weights = BatchNormLayerTest.values(new Random(4), 0, 1, 4, 3).castTo(DataType.DOUBLE);
        sd.setLossVariables(sd.identity("loss", net.logits().mul(sd.constant("w", weights)).sum()));
        for (String v : variables) {
            INDArray analytic = sd.calculateGradients(ph, v).get(v);
            INDArray p = sd.getVariable(v).getArr();
            int checked = 0;
            for (int k = 0; k < p.length(); k += Math.max(1, (int) p.length() / 12)) {
                double orig = p.getDouble(k), eps = 1e-6;
                p.putScalar(k, orig + eps);
                double up = sd.output(ph, "loss").get("loss").getDouble(0);
                p.putScalar(k, orig - eps);
                double down = sd.output(ph, "loss").get("loss").getDouble(0);
                p.putScalar(k, orig);
                double numeric = (up - down) / (2 * eps);
                assertEquals(numeric, analytic.getDouble(k), 1e-5 + 1e-4 * Math.abs(numeric), v + "[" + k + "]");
                checked++;
            }
            assertTrue(checked >= 5 && analytic.amaxNumber().doubleValue() > 1e-3, v + ": the check compared real gradients");
        }
    }
}
