package org.kdharness.sweep;

import org.kdharness.train.Inference;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.NetworkSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.ImageData;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.SoftTargets;
import org.kdharness.distill.TrialSpec;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.kdharness.teacher.TeacherOutputs;
import org.kdharness.teacher.TeacherOutputs.Split;
import org.kdharness.train.ClassificationMetrics;
import org.kdharness.train.Trainer;
import org.kdharness.data.DatasetLoader;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains and evaluates one student for one trial.
 *
 * <p>Why separate from the sweep loop: a trial is a pure function of its spec, the data
 * and the teacher's outputs; the loop around it only decides which trial runs and where
 * results go.
 */
public final class TrialRunner {

    private final NetworkSpec student;
    private final DataSplits data;
    private final TeacherOutputs teacher;
    private final Trainer.Engine engine;
    private final INDArray trainOneHot;
    private final boolean augment;

    /**
     * What a finished trial reports.
     *
     * @param engine what computed its steps: {@code layers} (the layer engine) or {@code graph}
     * @param earlyStop why training stopped before its planned epochs, or null ({@link Trainer.Result#earlyStop})
     */
    public record Outcome(Map<String, Double> metrics, int epochs, double seconds, String engine, String earlyStop) {
    }

    public TrialRunner(NetworkSpec student, DataSplits data, TeacherOutputs teacher, Trainer.Engine engine) {
        this(student, data, teacher, engine, false);
    }

    /** @param augment whether training epochs see {@link org.kdharness.data.Augmentation#standard} images */
    public TrialRunner(NetworkSpec student, DataSplits data, TeacherOutputs teacher, Trainer.Engine engine, boolean augment) {
        this.augment = augment;
        this.engine = engine;
        this.student = student;
        this.data = data;
        this.teacher = teacher;
        this.trainOneHot = data.train().oneHot();
    }

    /**
     * Runs the trial; {@code epochs} receives each epoch's metrics (for the store).
     *
     * @throws org.kdharness.train.DivergedException when the loss becomes non-finite
     */
    public Outcome run(TrialSpec spec, Trainer.EpochCallback epochs) {
        ImageData train = data.train();
        int classes = train.numClasses();
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(train.channels(), train.height(), train.width());
        ModelSpec arch = spec.student() != null ? spec.student() : student.model();
        TrainingSpec t = student.training();
        TrainingSpec training = new TrainingSpec(t.epochs(), t.batchSize(),
                spec.learningRate() == null ? t.learningRate() : spec.learningRate(),
                spec.optimiser() == null ? t.optimiser() : spec.optimiser(), t.weightDecay(), t.seed(), t.patience(),
                t.momentum(), t.schedule(), t.batchNorm());
        Network net = NetworkBuilder.build(SameDiff.create(), "", arch, shape, classes, spec.seed());
        DistillationObjective obj = DistillationObjective.build(net, spec, classes, teacher.teacher().model().tapShapes());

        // under augmentation the teacher's outputs are computed per batch: none for the whole split
        List<INDArray> labels = augment ? null : inputs(obj, spec, Split.TRAIN);
        Trainer.Result r = new Trainer(engine).fit(net, training, spec.seed(), train, obj, labels, data.validation(), epochs,
                augment ? augmented(obj, spec) : null);

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.putAll(evaluate(net, train, Split.TRAIN).named("train"));
        metrics.putAll(evaluate(net, data.validation(), Split.VALIDATION).named("val"));
        ClassificationMetrics test = evaluate(net, data.test(), Split.TEST);
        metrics.putAll(test.named("test"));
        for (int c = 0; c < test.perClassAccuracy().length; c++) {
            metrics.put("test_class_" + c + "_accuracy", test.perClassAccuracy()[c]);
        }
        // the deployed weights are the best epoch's (early stopping), so are its loss terms
        Map<String, Double> kept = r.epochs().get(r.bestEpoch() - 1);
        kept.forEach((k, v) -> {
            if (k.startsWith("train_") && !k.endsWith("accuracy")) {
                metrics.put("final_" + k, v);
            }
        });
        long teacherParams = teacher.teacher().model().paramCount();
        metrics.put("student_params", (double) net.paramCount());
        metrics.put("teacher_params", (double) teacherParams);
        metrics.put("compression_ratio", (double) teacherParams / net.paramCount());
        metrics.put("projection_params", (double) obj.projectionParams().stream()
                .mapToLong(p -> net.sd().getVariable(p).getArr().length()).sum());
        if (!obj.validationMetrics().isEmpty()) {
            // the teacher's layers on validation are computed (and cached) only for objectives that measure there
            Inference.means(net, obj, data.validation().features(), inputs(obj, spec, Split.VALIDATION), obj.validationMetrics(),
                    training.batchSize()).forEach((k, v) -> metrics.put("val_" + k, v));
        }
        metrics.put("best_epoch", (double) r.bestEpoch());
        metrics.put("samples_per_second", r.samplesPerSecond());
        metrics.put("train_seconds", r.seconds());
        metrics.put("labelled_examples", (double) Math.round(train.size() * spec.effectiveLabelledFraction()));
        return new Outcome(metrics, r.epochsRun(), r.seconds(), r.engine(), r.earlyStop());
    }

    /**
     * Each batch's augmented training images (seeded by the trial's seed, the epoch and the example, so every method at a
     * seed sees the same ones), with the teacher's outputs computed on them as the batch is drawn: labels and the label
     * mask are the batch's rows of the fixed ones.
     */
    private org.kdharness.train.EpochData augmented(DistillationObjective obj, TrialSpec spec) {
        ImageData train = data.train();
        org.kdharness.teacher.FrozenTeacher t = teacher.teacher().model();
        INDArray mask = obj.indexOf(ObjectiveInput.Kind.LABEL_MASK) < 0 ? null : labelMask(spec.effectiveLabelledFraction());
        return new org.kdharness.train.EpochData() {
            @Override
            public INDArray features(int epoch, int[] rows) {
                return org.kdharness.data.Augmentation.standard(train.features(), rows, train.channels(), train.height(), train.width(),
                        spec.seed(), epoch);
            }

            @Override
            public List<INDArray> inputs(INDArray x, int[] rows) {
                List<INDArray> out = new ArrayList<>();
                INDArray logits = null;
                // trials side by side share the teacher's graph, which is not safe for concurrent inference
                synchronized (teacher) {
                    for (ObjectiveInput in : obj.inputs()) {
                        if ((in.kind() == ObjectiveInput.Kind.TEACHER_PROBS || in.kind() == ObjectiveInput.Kind.TEACHER_LOGITS) && logits == null) {
                            logits = t.logits(x);
                        }
                        out.add(switch (in.kind()) {
                            case LABELS -> Nd4j.pullRows(trainOneHot, 1, rows);
                            case LABEL_MASK -> Nd4j.pullRows(mask, 1, rows);
                            case TEACHER_PROBS -> SoftTargets.soften(logits, spec.effectiveTemperature());
                            case TEACHER_LOGITS -> logits;
                            case TEACHER_LAYER -> t.tap(x, in.teacherLayer());
                        });
                    }
                }
                return out;
            }

            @Override
            public List<INDArray> unaugmented(int[] rows) {
                return inputs(Nd4j.pullRows(train.features(), 1, rows), rows);
            }
        };
    }

    /** What the objective reads beside the student's input on a split, in {@link DistillationObjective#inputs()} order. */
    private List<INDArray> inputs(DistillationObjective obj, TrialSpec spec, Split split) {
        ImageData rows = split == Split.TRAIN ? data.train() : data.validation();
        List<INDArray> out = new ArrayList<>();
        for (ObjectiveInput in : obj.inputs()) {
            out.add(switch (in.kind()) {
                case LABELS -> split == Split.TRAIN ? trainOneHot : rows.oneHot();
                case LABEL_MASK -> split == Split.TRAIN ? labelMask(spec.effectiveLabelledFraction())
                        : Nd4j.ones(DataType.FLOAT, rows.size(), 1);
                case TEACHER_PROBS -> SoftTargets.soften(teacher.logits(split), spec.effectiveTemperature());
                case TEACHER_LOGITS -> teacher.logits(split);
                case TEACHER_LAYER -> teacher.hidden(in.teacherLayer(), split);
            });
        }
        return out;
    }

    /**
     * 1 for the labelled share of the training split, 0 for the unlabelled pool. The split
     * depends only on the data and the fraction (not on the trial's seed or method), so
     * every trial at a fraction sees the same labelled examples.
     */
    private INDArray labelMask(double fraction) {
        int n = data.train().size();
        int[] order = DatasetLoader.shuffled(n, 0x1abe11edL + Math.round(fraction * 1_000_000));
        float[] mask = new float[n];
        for (int i = 0; i < Math.round(n * fraction); i++) {
            mask[order[i]] = 1f;
        }
        return Nd4j.create(mask, new long[]{n, 1}, DataType.FLOAT);
    }

    private ClassificationMetrics evaluate(Network net, ImageData split, Split which) {
        return ClassificationMetrics.of(Inference.logits(net, split.features()), split.labels(), teacher.logits(which));
    }
}
