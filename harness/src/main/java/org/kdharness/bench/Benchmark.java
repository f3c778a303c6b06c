package org.kdharness.bench;

import org.kdharness.config.DatasetSpec;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.SoftTargets;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.kdharness.teacher.Teacher;
import org.kdharness.teacher.TeacherOutputs;
import org.kdharness.train.Trainer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The work a distillation sweep repeats, timed: one training epoch (batch 128, Adam) of the
 * benchmark's teacher and students and teacher-output preparation (the GEMM rate is
 * {@link org.kdharness.sweep.GemmIdentity}'s).
 *
 * <p>Why whole epochs through the real trainer: that is what a trial costs here (including
 * the end-of-epoch loss probe and validation pass), and the PyTorch reference script does
 * exactly the same work, so the ratio compares like with like. Training rows run two
 * epochs and report the second (steady state: trials run several epochs), with the first
 * epoch's time, which carries graph construction and warm-up, printed beside it.
 */
public final class Benchmark {

    /**
     * One timed row.
     *
     * @param peakMib the process's peak resident memory while the row ran (its high-water mark reset to the resident
     *                memory before it, so what earlier rows left resident counts), MiB; NaN where unknown, the
     *                process's peak so far where the reset is not allowed
     */
    public record Row(String name, double seconds, long samples, double peakMib) {
        public double samplesPerSecond() {
            return samples / seconds;
        }
    }

    static final ModelSpec MLP_TEACHER = new ModelSpec("mlp", List.of(1200, 1200), null, "relu", 0.0);
    static final ModelSpec MLP_STUDENT = new ModelSpec("mlp", List.of(256, 256), null, "relu", 0.0);
    static final ModelSpec CNN_TEACHER = new ModelSpec("cnn", List.of(128), List.of(new ModelSpec.ConvBlock(32, 3, true),
            new ModelSpec.ConvBlock(64, 3, true)), "relu", 0.0);
    static final ModelSpec CNN_STUDENT = new ModelSpec("cnn", List.of(32), List.of(new ModelSpec.ConvBlock(16, 3, true)), "relu", 0.0);
    static final ModelSpec RESNET_TEACHER = new ModelSpec("resnet", null, null, null, null, 20, 1);
    static final ModelSpec RESNET_STUDENT = new ModelSpec("resnet", null, null, null, null, 8, 4);
    static final int RESNET_ROWS = 2048;
    static final TrainingSpec TWO_EPOCHS = new TrainingSpec(2, 128, 1e-3, "adam", 0.0, 0L, 0);

    private final DataSplits data;
    private final Consumer<String> log;
    /** The process's peak resident memory before the last per-row reset, MiB (0 before the first row). */
    private double processPeak;
    private final Trainer.Engine engine;

    /** @param engine how training steps are computed ({@code GRAPH} times the SameDiff path for comparison) */
    public Benchmark(String dataPath, Trainer.Engine engine, Consumer<String> log) {
        this.data = new DatasetLoader().load(new DatasetSpec("fashion-mnist", dataPath, 0.1, 0, 0, 42L));
        this.engine = engine;
        this.log = log;
    }

    public DataSplits data() {
        return data;
    }

    /**
     * Runs every row whose name {@code only} accepts; {@code cnn} adds the (slow) CNN rows. A
     * skipped teacher row leaves its students distilling from the untrained teacher, which
     * costs the same per epoch.
     */
    public List<Row> run(boolean cnn, Predicate<String> only) {
        return run(cnn, false, only);
    }

    /** {@link #run(boolean, Predicate)}; {@code resnet} adds the (slower) residual-network rows. */
    public List<Row> run(boolean cnn, boolean resnet, Predicate<String> only) {
        List<Row> rows = new ArrayList<>();
        int n = data.train().size();
        Network teacherNet = network(MLP_TEACHER, 7);
        String teacherRow = "teacher epoch, MLP 784-1200-1200-10";
        if (only.test(teacherRow)) {
            rows.add(epochRow(teacherRow, n, () -> train(teacherNet, baseline(), null)));
        }
        Teacher teacher = new Teacher(teacherNet, "bench", Double.NaN, 0, false);
        TeacherOutputs outputs = new TeacherOutputs(teacher, data);
        String prepareRow = "prepare teacher outputs (logits + layer 2, train split)";
        if (only.test(prepareRow)) {
            rows.add(timed(prepareRow, n, () -> {
                outputs.logits(TeacherOutputs.Split.TRAIN);
                outputs.hidden(2);
            }));
        }
        for (TrialSpec trial : studentTrials()) {
            if (only.test(rowName(trial))) {
                rows.add(epochRow(rowName(trial), n, () -> train(network(MLP_STUDENT, 1), trial, outputs)));
            }
        }
        if (cnn) {
            Network cnnTeacher = network(CNN_TEACHER, 7);
            String cnnTeacherRow = "teacher epoch, CNN conv32-conv64-fc128", cnnStudentRow = "student epoch, response KD, CNN conv16-fc32";
            if (only.test(cnnTeacherRow)) {
                rows.add(epochRow(cnnTeacherRow, n, () -> train(cnnTeacher, baseline(), null)));
            }
            if (only.test(cnnStudentRow)) {
                TeacherOutputs cnnOutputs = new TeacherOutputs(new Teacher(cnnTeacher, "bench-cnn", Double.NaN, 0, false), data);
                TrialSpec response = studentTrials().stream().filter(t -> t.method().name().equals("response")).findFirst().orElseThrow();
                rows.add(epochRow(cnnStudentRow, n, () -> train(network(CNN_STUDENT, 1), response, cnnOutputs)));
            }
        }
        if (resnet) {
            rows.addAll(resnetRows(only));
        }
        return rows;
    }

    /**
     * The residual rows, on the first {@value #RESNET_ROWS} training and 512 validation examples (a full
     * Fashion-MNIST epoch of resnet8x4 takes minutes at one thread on either side): a resnet20 teacher, and
     * a resnet8x4 student's response-KD and feature-KD (stage3 &lt;- stage3, a 1x1-conv projection) epochs.
     */
    private List<Row> resnetRows(Predicate<String> only) {
        int[] first = new int[Math.min(RESNET_ROWS, data.train().size())];
        java.util.Arrays.setAll(first, i -> i);
        int[] firstVal = new int[Math.min(512, data.validation().size())];
        java.util.Arrays.setAll(firstVal, i -> i);
        DataSplits slice = new DataSplits(data.train().subset(first), data.validation().subset(firstVal), data.test(), data.source());
        List<Row> rows = new ArrayList<>();
        Network teacher = network(RESNET_TEACHER, 7);
        String teacherRow = "teacher epoch, resnet20 (2,048 examples)";
        if (only.test(teacherRow)) {
            rows.add(epochRow(teacherRow, first.length, () -> train(teacher, baseline(), null, slice)));
        }
        TeacherOutputs outputs = new TeacherOutputs(new Teacher(teacher, "bench-resnet", Double.NaN, 0, false), slice);
        TrialSpec response = studentTrials().stream().filter(t -> t.method().name().equals("response")).findFirst().orElseThrow();
        String responseRow = "student epoch, response KD, resnet8x4 (2,048 examples)";
        if (only.test(responseRow)) {
            rows.add(epochRow(responseRow, first.length, () -> train(network(RESNET_STUDENT, 1), response, outputs, slice)));
        }
        String featureRow = "student epoch, feature KD, resnet8x4 stage3<-stage3 (2,048 examples)";
        if (only.test(featureRow)) {
            TrialSpec feature = TrialSpec.of(DistillationRegistry.standard().method("feature"), 1).temperature(4.0).alpha(0.5)
                    .weights(0.8, 0.2).mapping(new LayerMapping(List.of(new LayerMapping.Pair(3, List.of(3), 1.0, "mean"))),
                            DistillationRegistry.standard().distance("mse")).build();
            rows.add(epochRow(featureRow, first.length, () -> train(network(RESNET_STUDENT, 1), feature, outputs, slice)));
        }
        return rows;
    }

    /** The CIFAR-100-shaped rows ({@link CifarRows}) on the files {@link #writeCifar} wrote into {@code dir}. */
    public List<Row> cifar(java.nio.file.Path dir, Predicate<String> only) {
        return new CifarRows(this, dir).run(only);
    }

    /** Writes the CIFAR-100-shaped rows' files (CIFAR-100's binary format, random pixels) into {@code dir}. */
    public static java.nio.file.Path writeCifar(java.nio.file.Path dir) {
        return CifarRows.write(dir);
    }

    /** One student trial per registered method and vector distance (s2 &lt;- t2), see {@link DistillationRegistry#exampleTrials}. */
    static List<TrialSpec> studentTrials() {
        return DistillationRegistry.standard().exampleTrials(
                new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(2), 1.0, "mean"))));
    }

    /** The first row whose name starts with {@code prefix}. */
    public static Row row(List<Row> rows, String prefix) {
        return rows.stream().filter(r -> r.name().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no benchmark row '" + prefix + "'"));
    }

    /** The row's name, the same in {@code torch_bench.py}. */
    static String rowName(TrialSpec t) {
        return "student epoch, " + t.method().name() + (t.distance() == null ? "" : " " + t.distance().name() + " (s2<-t2)")
                + (t.params().isEmpty() ? "" : " " + t.paramsText());
    }

    static TrialSpec baseline() {
        return TrialSpec.of(DistillationRegistry.standard().method("baseline"), 1).build();
    }

    private Network network(ModelSpec spec, long seed) {
        return NetworkBuilder.build(SameDiff.create(), "", spec, new NetworkBuilder.InputShape(1, 28, 28), 10, seed);
    }

    /** Seconds of each of the two epochs, then the second's training steps alone; {@code teacher} feeds the objective's teacher inputs. */
    private double[] train(Network net, TrialSpec spec, TeacherOutputs teacher) {
        return train(net, spec, teacher, data);
    }

    /** {@link #train(Network, TrialSpec, TeacherOutputs)} on other splits (the residual rows' slice, the CIFAR-shaped file). */
    double[] train(Network net, TrialSpec spec, TeacherOutputs teacher, DataSplits data) {
        DistillationObjective obj = DistillationObjective.build(net, spec, data.train().numClasses(),
                teacher == null ? List.of() : teacher.teacher().model().tapShapes());
        List<INDArray> labels = new ArrayList<>();
        for (ObjectiveInput in : obj.inputs()) {
            labels.add(switch (in.kind()) {
                case LABELS -> data.train().oneHot();
                case TEACHER_PROBS -> SoftTargets.soften(teacher.logits(TeacherOutputs.Split.TRAIN), spec.effectiveTemperature());
                case TEACHER_LOGITS -> teacher.logits(TeacherOutputs.Split.TRAIN);
                case TEACHER_LAYER -> teacher.hidden(in.teacherLayer());
                case LABEL_MASK -> throw new IllegalStateException("the benchmark uses every label");
            });
        }
        double[] seconds = new double[3];
        Trainer.Result r = new Trainer(engine).fit(net, TWO_EPOCHS, spec.seed(), data.train(), obj, labels, data.validation(), null);
        for (int e = 0; e < 2; e++) {
            seconds[e] = r.epochs().get(e).get("epoch_seconds");
        }
        seconds[2] = r.epochs().get(1).get("step_seconds");
        log.accept("    engine: " + switch (r.engine()) {
            case "layers" -> "layers (the layer engine)";
            default -> "graph (SameDiff autodiff)";
        });
        return seconds;
    }

    /**
     * A training row: the second epoch's time (steady state), the first's printed beside it, and the second's training
     * steps alone (the rest is the loss probe and the validation pass).
     */
    Row epochRow(String name, long samples, java.util.function.Supplier<double[]> work) {
        startRow();
        double[] s = work.get();
        Row r = new Row(name, s[1], samples, peakRssMib());
        log.accept(String.format(java.util.Locale.ROOT, "  %-60s %8.2f s %10.0f samples/s  (first epoch %.2f s; steps %.2f s)", name, r.seconds(),
                r.samplesPerSecond(), s[0], s[2]));
        return r;
    }

    Row timed(String name, long samples, Runnable work) {
        startRow();
        long t0 = System.nanoTime();
        work.run();
        Row r = new Row(name, (System.nanoTime() - t0) / 1e9, samples, peakRssMib());
        log.accept(String.format(java.util.Locale.ROOT, "  %-60s %8.2f s %10.0f samples/s", name, r.seconds(), r.samplesPerSecond()));
        return r;
    }

    /** Multiply-adds of one example's forward pass through a dense network. */
    static long denseMacs(int... widths) {
        long m = 0;
        for (int i = 0; i + 1 < widths.length; i++) {
            m += (long) widths[i] * widths[i + 1];
        }
        return m;
    }

    /**
     * Before a row: keeps the process's peak so far ({@link #processPeakMib}), then resets the peak to the current
     * resident memory (Linux 4.0+: writing 5 to {@code /proc/self/clear_refs}), so that {@link #peakRssMib} then gives
     * the peak of the row; the PyTorch side does the same per row.
     */
    private void startRow() {
        processPeak = processPeakMib();
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/self/clear_refs"), "5");
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or not allowed: the rows report the process's peak so far
        }
    }

    /** The process's peak resident memory over every row so far (the per-row resets do not lose it), MiB. */
    public double processPeakMib() {
        return Math.max(processPeak, peakRssMib());
    }

    /** Peak resident memory of this process (VmHWM, since the last per-row reset when a bench ran rows), MiB. */
    public static double peakRssMib() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("\\D+", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux: unknown
        }
        return Double.NaN;
    }
}
