package org.kdharness.bench;

import org.kdharness.config.DatasetSpec;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.kdharness.teacher.Teacher;
import org.kdharness.teacher.TeacherOutputs;
import org.nd4j.autodiff.samediff.SameDiff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The benchmark's rows in the shapes KD papers train: CIFAR-100 (3 x 32 x 32 images, 100 classes), read from a
 * CIFAR-100 binary file the bench writes ({@value #TRAIN} training and {@value #TEST} test records of random pixels),
 * which {@code torch_bench.py --cifar DIR} reads too: the resnet32x4 teacher's forward pass over the training
 * examples, resnet8x4 students under response KD and under a FitNet hint (stage3 &lt;- stage3, no projection: both
 * are 256 x 8 x 8), and a WRN-16-2 student under response KD.
 *
 * <p>Why generated data: CIFAR cannot be downloaded here, and an epoch's time does not depend on the pixels.
 */
final class CifarRows {

    /** Records in the generated training file (80 % train, 20 % validation) and test file. */
    static final int TRAIN = 2560;
    static final int TEST = 512;
    static final ModelSpec TEACHER = new ModelSpec("resnet", null, null, null, null, 32, 4);
    static final ModelSpec STUDENT = new ModelSpec("resnet", null, null, null, null, 8, 4);
    static final ModelSpec WRN_STUDENT = new ModelSpec("wrn", null, null, null, null, 16, 2);
    private static final String SHAPES = " (CIFAR-100 shapes, 2,048 examples)";

    private final Benchmark bench;
    private final Path dir;

    /** Rows timed through {@code bench}'s trainer, on the files in {@code dir} (see {@link #write}). */
    CifarRows(Benchmark bench, Path dir) {
        this.bench = bench;
        this.dir = dir;
    }

    /** Writes {@code train.bin} and {@code test.bin} in CIFAR-100's binary format into {@code dir}: coarse, fine label, 3,072 pixels. */
    static Path write(Path dir) {
        Random rng = new Random(2024);
        try {
            Files.createDirectories(dir);
            for (String name : List.of("train.bin", "test.bin")) {
                int records = name.equals("train.bin") ? TRAIN : TEST;
                byte[] bytes = new byte[records * 3074];
                rng.nextBytes(bytes);
                for (int i = 0; i < records; i++) {
                    bytes[i * 3074 + 1] = (byte) (i % 100);
                    bytes[i * 3074] = (byte) (i % 100 / 5);
                }
                Files.write(dir.resolve(name), bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark's CIFAR-100 files in " + dir, e);
        }
        return dir;
    }

    List<Benchmark.Row> run(Predicate<String> only) {
        DataSplits data = new DatasetLoader().load(new DatasetSpec("cifar100", dir.toString(), 0.2, 0, 0, 42L));
        int n = data.train().size();
        List<Benchmark.Row> rows = new ArrayList<>();
        Network teacher = network(TEACHER, 7);
        Teacher frozen = new Teacher(teacher, "bench-cifar", Double.NaN, 0, false);
        String forwardRow = "teacher forward, resnet32x4" + SHAPES;
        if (only.test(forwardRow)) {
            rows.add(bench.timed(forwardRow, n, () -> new TeacherOutputs(frozen, data).logits(TeacherOutputs.Split.TRAIN)));
        }
        TeacherOutputs outputs = new TeacherOutputs(frozen, data);
        TrialSpec response = TrialSpec.of(DistillationRegistry.standard().method("response"), 1).temperature(4.0).alpha(0.5).build();
        String responseRow = "student epoch, response KD, resnet8x4" + SHAPES;
        if (only.test(responseRow)) {
            rows.add(bench.epochRow(responseRow, n, () -> bench.train(network(STUDENT, 1), response, outputs, data)));
        }
        String featureRow = "student epoch, feature KD, resnet8x4 stage3<-stage3" + SHAPES;
        if (only.test(featureRow)) {
            TrialSpec feature = TrialSpec.of(DistillationRegistry.standard().method("feature"), 1).temperature(4.0).alpha(0.5)
                    .weights(0.8, 0.2).mapping(new LayerMapping(List.of(new LayerMapping.Pair(3, List.of(3), 1.0, "mean"))),
                            DistillationRegistry.standard().distance("mse")).build();
            rows.add(bench.epochRow(featureRow, n, () -> bench.train(network(STUDENT, 1), feature, outputs, data)));
        }
        String wrnRow = "student epoch, response KD, WRN-16-2" + SHAPES;
        if (only.test(wrnRow)) {
            rows.add(bench.epochRow(wrnRow, n, () -> bench.train(network(WRN_STUDENT, 1), response, outputs, data)));
        }
        return rows;
    }

    private static Network network(ModelSpec spec, long seed) {
        return NetworkBuilder.build(SameDiff.create(), "", spec, new NetworkBuilder.InputShape(3, 32, 32), 100, seed);
    }
}
