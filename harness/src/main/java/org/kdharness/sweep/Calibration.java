package org.kdharness.sweep;

import org.kdharness.config.NetworkSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.kdharness.teacher.Teacher;
import org.kdharness.teacher.TeacherCache;
import org.kdharness.teacher.TeacherOutputs;
import org.kdharness.train.OpenMpThreads;
import org.kdharness.train.Trainer;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * Timed runs of real trials and of the teacher on a slice of the training data: what {@link WallTimeEstimate} costs a
 * kind of trial by when neither the sweep's store nor the {@link CalibrationCache} knows it.
 *
 * <p>Why real trials: speed depends on the machine, the BLAS, the model and the method; one real trial of a kind (the
 * real runner, engine and evaluation) on up to {@value WallTimeEstimate#CALIBRATION_ROWS} rows, its steps scaled to the
 * split, is what a sweep's trials of that kind will cost.
 */
final class Calibration implements AutoCloseable {
    private final SweepConfig c;
    private final DataSplits full;
    private final DataSplits slice;
    private final double scale;
    private final TeacherOutputs untrained;

    Calibration(SweepConfig c, DataSplits data) {
        this.c = c;
        this.full = data;
        int rows = Math.min(data.train().size(), WallTimeEstimate.CALIBRATION_ROWS);
        int[] first = new int[rows];
        java.util.Arrays.setAll(first, i -> i);
        this.slice = new DataSplits(data.train().subset(first), data.validation(), data.test(), data.source());
        this.scale = (double) data.train().size() / rows;
        this.untrained = new TeacherOutputs(new Teacher(TeacherCache.standIn(c.teacher(), data.train()), "calibration", Double.NaN, 0,
                false), slice);
    }

    @Override
    public void close() {
        untrained.teacher().model().close();
    }

    private Network network(NetworkSpec spec, long seed) {
        var train = full.train();
        return NetworkBuilder.build(SameDiff.create(), "", spec.model(),
                new NetworkBuilder.InputShape(train.channels(), train.height(), train.width()), train.numClasses(), seed);
    }

    /**
     * {seconds outside the epochs, seconds per full epoch} of one trial, {@code copies} training at once: the
     * training steps scaled from the slice to the whole training split, the epoch's probe and validation as measured.
     */
    double[] trial(TrialSpec spec, int copies) {
        // two epochs, the second timed: long enough for the copies to overlap as a sweep's trials do
        TrialRunner runner = runner(2);
        untrained.logits(TeacherOutputs.Split.TRAIN); // shared outputs are computed once per worker, not per trial
        // each kind once untimed, for one epoch: its first run compiles code paths, and computes the teacher's layers
        // it reads, that a sweep's many trials of it do not pay again
        runner(1).run(spec, null);
        double[][] runs = new double[copies][];
        List<Runnable> tasks = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            int k = i;
            tasks.add(() -> {
                double[] epoch = new double[3]; // last epoch's seconds and steps, all epochs' seconds
                long t0 = System.nanoTime();
                runner.run(spec, (e, m) -> {
                    epoch[0] = m.get("epoch_seconds");
                    epoch[1] = m.get("step_seconds");
                    epoch[2] += m.get("epoch_seconds");
                });
                double wall = (System.nanoTime() - t0) / 1e9;
                runs[k] = new double[]{wall - epoch[2], epoch[1] * scale + epoch[0] - epoch[1]};
            });
        }
        SideBySide.run(tasks, i -> "calibration-" + i);
        double outside = 0, epoch = 0;
        for (double[] r : runs) {
            if (r == null) {
                throw new IllegalStateException("a calibration run of " + TrialLabel.of(spec) + " failed");
            }
            outside += r[0] / copies;
            epoch += r[1] / copies;
        }
        return new double[]{outside, epoch};
    }

    /**
     * The teacher's logits on every split, as a run computes them once before its trials (timed on the slice with
     * an untrained teacher of the same shape, scaled to the splits' rows).
     */
    double teacherOutputs() {
        long t0 = System.nanoTime();
        untrained.teacher().model().logits(slice.train().features());
        double perRow = (System.nanoTime() - t0) / 1e9 / slice.train().size();
        return perRow * (full.train().size() + full.validation().size() + full.test().size());
    }

    /** A runner of the sweep's student, recipe, engine and augmentation, for {@code epochs} epochs on the slice. */
    private TrialRunner runner(int epochs) {
        return new TrialRunner(new NetworkSpec(c.student().model(), c.student().training().forEpochs(epochs)), slice, untrained,
                Trainer.Engine.named(c.runtime().engine()), c.dataset().augmented());
    }

    /** The teacher's training: one epoch on the slice, on every core as it trains, scaled to its epochs. */
    double teacher() {
        Network net = network(c.teacher(), c.teacher().training().seed());
        TrainingSpec t = c.teacher().training();
        DistillationObjective obj = DistillationObjective.build(net, TrialSpec.of(DistillationRegistry.standard().method("baseline"),
                t.seed()).build(), full.train().numClasses(), List.of());
        TrainingSpec one = t.forEpochs(1);
        int before = OpenMpThreads.set(Runtime.getRuntime().availableProcessors());
        try {
            double[] epoch = new double[2];
            new Trainer().fit(net, one, t.seed(), slice.train(), obj, List.of(slice.train().oneHot()), slice.validation(), (e, m) -> {
                epoch[0] = m.get("epoch_seconds");
                epoch[1] = m.get("step_seconds");
            });
            return (epoch[1] * scale + epoch[0] - epoch[1]) * t.epochs();
        } finally {
            if (before > 0) {
                OpenMpThreads.set(before);
            }
        }
    }
}
