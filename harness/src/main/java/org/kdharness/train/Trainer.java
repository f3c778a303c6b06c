package org.kdharness.train;

import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DatasetLoader;
import org.kdharness.data.ImageData;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a network on a prepared objective, one epoch at a time, with optional early
 * stopping on validation accuracy.
 *
 * <p>Why one trainer for teacher and student: the teacher is simply a network trained on
 * hard labels, so it shares the loop, the data order rules and the divergence checks.
 *
 * <p>Every network the builders make (MLPs, plain CNNs, residual networks, WRNs, VGGs) is stepped by
 * {@link LayerStep} (the layer engine, {@code org.kdharness.engine}) when every term has a hand gradient or is a tap
 * loss; the rest, {@code runtime.engine: graph}, and every network off the CPU go through the SameDiff graph.
 * Inference for validation and evaluation uses the engine's forward pass where a network has one; the loss probe
 * reads the graph's terms (on the engine's logits and taps where the engine trains), so every path reports the same
 * quantities.
 */
public final class Trainer {

    /** How training steps are computed; a setting so that a result can be re-checked against autodiff. */
    public enum Engine {
        /** The layer engine when it covers the objective, else the graph. */
        AUTO,
        /**
         * Every training step through the SameDiff graph: its autodiff gradients instead of the
         * hand-written ones (the updater and inference are shared by every path).
         */
        GRAPH,
        /**
         * The same as {@link #AUTO} since the hand-written dense MLP/CNN path went (it was the one AUTO preferred);
         * kept so that configs and bench commands that name it still run.
         */
        LAYERS;

        /** The name a config's {@code runtime.engine} gives it: {@code auto}, {@code graph} or {@code layers}. */
        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Every config name, in declaration order (what the validator accepts). */
        public static List<String> configNames() {
            return java.util.Arrays.stream(values()).map(Engine::configName).toList();
        }

        /** The engine a config's {@code runtime.engine} names ({@link #configNames}; anything else: {@code AUTO}). */
        public static Engine named(String name) {
            return java.util.Arrays.stream(values()).filter(e -> e.configName().equals(name)).findFirst().orElse(AUTO);
        }
    }

    private final Engine engine;

    /** A trainer on the layer engine wherever it covers the objective, else the graph ({@link Engine#AUTO}). */
    public Trainer() {
        this(Engine.AUTO);
    }

    public Trainer(Engine engine) {
        this.engine = engine;
    }

    /**
     * A trial whose training objective ends an epoch above this multiple of its value before
     * the first step has diverged, even with a finite loss: at learning rate 1e6 the loss
     * went from 2.3 to 7e5 while accuracy sat at chance. Training lowers the objective; no
     * healthy trial comes near 100x its starting value.
     */
    static final double DIVERGENCE_FACTOR = 100.0;

    /** Called after every epoch with its metrics; lets the caller record progress, and ask training to stop. */
    @FunctionalInterface
    public interface EpochCallback {
        void epochDone(int epoch, Map<String, Double> metrics);

        /**
         * Whether the caller asks training to stop: read between the engine's batches (the graph's training loop reads
         * it between epochs); a fit that sees it throws {@link TrainingStopped}.
         */
        default boolean stopRequested() {
            return false;
        }

        /** {@code callback}'s epochs (none when null), stopping once {@code stop} says so. */
        static EpochCallback stoppable(EpochCallback callback, java.util.function.BooleanSupplier stop) {
            return new EpochCallback() {
                @Override
                public void epochDone(int epoch, Map<String, Double> metrics) {
                    if (callback != null) {
                        callback.epochDone(epoch, metrics);
                    }
                }

                @Override
                public boolean stopRequested() {
                    return stop.getAsBoolean();
                }
            };
        }
    }

    /**
     * What training produced.
     *
     * @param epochs           per-epoch metrics, epoch 1 first
     * @param epochsRun        epochs actually run (fewer than planned if stopped early)
     * @param bestEpoch        epoch whose weights were kept
     * @param seconds          wall time of the training loop
     * @param samplesPerSecond training examples processed per second
     * @param engine           what computed the steps: {@code layers} (the layer engine) or {@code graph} (SameDiff's
     *                           autodiff); stores written before the dense MLP/CNN path went also hold {@code dense}
     * @param earlyStop        why training stopped before its planned epochs, in words for the console; null when every
     *                           planned epoch ran
     */
    public record Result(List<Map<String, Double>> epochs, int epochsRun, int bestEpoch, double seconds,
                         double samplesPerSecond, String engine, String earlyStop) {

        /** Whether the steps were back-propagated by hand (the layer engine), not by the graph's autodiff. */
        public boolean handWritten() {
            return !engine.equals("graph");
        }
    }

    /**
     * Trains {@code net} in place.
     *
     * @param objective   the loss built into {@code net}'s graph
     * @param labelArrays arrays for the objective's label placeholders, in order, rows aligned with {@code train}
     */
    public Result fit(Network net, TrainingSpec spec, long seed, ImageData train, DistillationObjective objective,
                      List<INDArray> labelArrays, ImageData validation, EpochCallback callback) {
        return fit(net, spec, seed, train, objective, labelArrays, validation, callback, null);
    }

    /**
     * {@link #fit(Network, TrainingSpec, long, ImageData, DistillationObjective, List, ImageData, EpochCallback)} with
     * each batch's images and inputs computed by {@code perEpoch} as it is drawn (augmentation; {@code labelArrays} is
     * then not read and may be null), or the fixed ones when it is null. The loss probe keeps measuring the fixed sample
     * of un-augmented examples.
     */
    public Result fit(Network net, TrainingSpec spec, long seed, ImageData train, DistillationObjective objective,
                      List<INDArray> labelArrays, ImageData validation, EpochCallback callback, EpochData perEpoch) {
        SameDiff sd = net.sd();
        List<String> labelNames = objective.labelPlaceholders();
        List<String> featureNames = new ArrayList<>();
        featureNames.add(net.input().name());
        List<BatchIterator.DropoutSpec> masks = new ArrayList<>();
        for (Network.DropoutMask m : net.dropoutMasks()) {
            featureNames.add(m.name());
            masks.add(new BatchIterator.DropoutSpec(m.width(), m.drop()));
        }
        if (net.trainingFlag() != null) {
            // ones: BatchNorm normalises with the batch's statistics while training
            featureNames.add(net.trainingFlag());
            masks.add(new BatchIterator.DropoutSpec(1, 0.0));
        }
        TrainingConfig.Builder tc = TrainingConfig.builder()
                .updater(updater(spec))
                .dataSetFeatureMapping(featureNames)
                .dataSetLabelMapping(labelNames);
        if (spec.weightDecay() > 0 && momentumSgd(spec)) {
            // PyTorch's SGD weight_decay: joins the gradient before the momentum
            tc.l2(spec.weightDecay());
        } else if (spec.weightDecay() > 0) {
            tc.weightDecay(spec.weightDecay(), true);
        }
        TrainingConfig config = tc.build();
        sd.setTrainingConfig(config);
        LayerStep layers = engine != Engine.GRAPH ? LayerStep.of(net, objective, config) : null;
        INDArray[] features = {train.features()};
        // under augmentation there are no whole-split inputs: batches and the probe's sample get their own
        INDArray[] labels = perEpoch != null ? null : labelArrays.toArray(INDArray[]::new);
        java.util.function.Function<int[], List<INDArray>> probeInputs = perEpoch != null ? perEpoch::unaugmented
                : LossProbe.rowsOf(labelArrays);
        LossProbe probe = layers != null ? LossProbe.onEngine(net, train.features(), objective, probeInputs, seed, spec.batchSize())
                : new LossProbe(net, train.features(), objective, probeInputs, seed, spec.batchSize());

        List<Map<String, Double>> history = new ArrayList<>();
        double bestVal = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        Map<String, INDArray> bestParams = null;
        long start = System.nanoTime();
        // BatchNorm's running statistics move in every engine step (PyTorch's); the graph's training loop cannot move
        // them, so where it trains, and where the config asks, they are measured after each epoch instead
        boolean precise = spec.preciseBatchNorm() || layers == null;
        // the objective before any step: the reference a diverging loss is measured against (with BatchNorm's
        // statistics measured first, so that an untrained residual stack is not judged on unit running variances,
        // then put back where training keeps running statistics)
        List<INDArray> initialStatistics = precise || net.engine() == null ? List.of() : net.engine().state().stream().map(INDArray::dup).toList();
        BatchNormStatistics.update(net, train.features(), DatasetLoader.shuffled(train.size(), seed * 1_000_003L + 1), spec.batchSize());
        double initialLoss = probe.measure().get("loss");
        for (int i = 0; i < initialStatistics.size(); i++) {
            net.engine().state().get(i).assign(initialStatistics.get(i));
        }
        java.util.function.BooleanSupplier stop = callback == null ? () -> false : callback::stopRequested;
        int epoch = 0;
        while (epoch < spec.epochs()) {
            epoch++;
            long t0 = System.nanoTime();
            int[] order = DatasetLoader.shuffled(train.size(), seed * 1_000_003L + epoch);
            if (perEpoch != null && layers != null) {
                layers.epoch(perEpoch, epoch, order, spec.batchSize(), seed * 7919L + epoch, stop);
            } else if (perEpoch != null) {
                sd.fit(new BatchIterator(perEpoch, epoch, masks, spec.batchSize(), order, seed * 7919L + epoch), 1);
            } else if (layers != null) {
                layers.epoch(train.features(), labelArrays, order, spec.batchSize(), seed * 7919L + epoch, stop);
            } else {
                sd.fit(new BatchIterator(features, labels, masks, spec.batchSize(), order, seed * 7919L + epoch), 1);
            }
            // a stop after the last epoch's last batch loses nothing: the trial finishes
            if (stop.getAsBoolean() && epoch < spec.epochs()) {
                throw new TrainingStopped(epoch);
            }
            double steps = (System.nanoTime() - t0) / 1e9;
            // what inference (probe, validation) normalises with from now on (else the running statistics the steps kept)
            if (precise && perEpoch == null) {
                BatchNormStatistics.update(net, train.features(), order, spec.batchSize());
            } else if (precise && !net.batchNorms().isEmpty()) {
                // on this epoch's augmented images of the sample
                int[] sample = java.util.Arrays.copyOf(order, Math.min(order.length, BatchNormStatistics.SAMPLE));
                int[] all = new int[sample.length];
                java.util.Arrays.setAll(all, i -> i);
                BatchNormStatistics.update(net, perEpoch.features(epoch, sample), all, spec.batchSize());
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("epoch", (double) epoch);
            for (Map.Entry<String, Double> e : probe.measure().entrySet()) {
                m.put("train_" + e.getKey(), e.getValue());
            }
            for (Map.Entry<String, Double> e : m.entrySet()) {
                if (!Double.isFinite(e.getValue())) {
                    throw new DivergedException("non-finite " + e.getKey() + " (" + e.getValue() + ") in epoch " + epoch);
                }
            }
            double loss = m.get("train_loss");
            if (Double.isFinite(initialLoss) && loss > DIVERGENCE_FACTOR * Math.max(initialLoss, 1e-3)) {
                throw new DivergedException(String.format(java.util.Locale.ROOT,
                        "train_loss %.4g in epoch %d is more than %.0fx its value before training (%.4g)",
                        loss, epoch, DIVERGENCE_FACTOR, initialLoss));
            }
            if (validation.size() > 0) {
                m.put("val_accuracy", ClassificationMetrics.accuracy(Inference.logits(net, validation.features()), validation.labels()));
            }
            m.put("epoch_seconds", (System.nanoTime() - t0) / 1e9);
            // the training steps alone (epoch_seconds adds the loss probe and validation): what grows with the data
            m.put("step_seconds", steps);
            history.add(m);
            if (callback != null) {
                callback.epochDone(epoch, m);
            }
            double val = m.getOrDefault("val_accuracy", Double.NaN);
            if (spec.patience() > 0 && !Double.isNaN(val)) {
                if (val > bestVal) {
                    bestVal = val;
                    bestEpoch = epoch;
                    // the projections too: what is measured after training (e.g. a learned association) is one epoch's state
                    List<String> kept = new ArrayList<>(net.params());
                    kept.addAll(objective.projectionParams());
                    kept.addAll(net.state()); // BatchNorm's running statistics of the same epoch
                    bestParams = snapshot(sd, kept);
                } else if (epoch - bestEpoch >= spec.patience()) {
                    break;
                }
            } else {
                bestEpoch = epoch;
            }
        }
        if (bestParams != null && bestEpoch != epoch) {
            bestParams.forEach((name, arr) -> sd.getVariable(name).getArr().assign(arr));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String earlyStop = epoch >= spec.epochs() ? null : String.format(java.util.Locale.ROOT,
                "stopped early at epoch %d of %d: val_accuracy has not risen above %.4f (epoch %d) for %d epoch%s (patience %d);"
                        + " epoch %d's weights kept", epoch, spec.epochs(), bestVal, bestEpoch, epoch - bestEpoch,
                epoch - bestEpoch == 1 ? "" : "s", spec.patience(), bestEpoch);
        return new Result(history, epoch, bestEpoch, seconds, (double) train.size() * epoch / seconds,
                layers != null ? "layers" : "graph", earlyStop);
    }

    private static Map<String, INDArray> snapshot(SameDiff sd, List<String> params) {
        Map<String, INDArray> copy = new HashMap<>();
        for (String p : params) {
            copy.put(p, sd.getVariable(p).getArr().dup());
        }
        return copy;
    }

    /** Whether the spec asks for PyTorch-style SGD with momentum ({@link MomentumSgd}). */
    private static boolean momentumSgd(TrainingSpec spec) {
        return spec.optimiser().equals("sgd") && spec.effectiveMomentum() > 0;
    }

    static IUpdater updater(TrainingSpec spec) {
        double lr = spec.learningRate();
        ISchedule schedule = spec.schedule() == null ? null : new EpochSchedule(lr, spec.schedule(), spec.epochs());
        IUpdater u = switch (spec.optimiser()) {
            case "adam" -> new HostAdam(lr);
            case "sgd" -> momentumSgd(spec) ? new MomentumSgd(lr, null, spec.effectiveMomentum()) : new Sgd(lr);
            case "nesterovs" -> new Nesterovs(lr, spec.effectiveMomentum());
            default -> throw new IllegalArgumentException("unknown optimiser '" + spec.optimiser() + "'");
        };
        if (schedule != null && u instanceof HostAdam a) {
            a.setLearningRateSchedule(schedule);
        } else if (schedule != null && u instanceof Sgd s) {
            s.setLearningRateSchedule(schedule);
        } else if (schedule != null && u instanceof Nesterovs n) {
            n.setLearningRateSchedule(schedule);
        }
        return u;
    }
}
