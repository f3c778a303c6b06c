package org.kdharness.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole sweep, timed end to end on both sides: {@code kd run} of a 24-trial response-KD grid
 * (teacher trained once, 784-256-256-10 students, 5 epochs, T x alpha x seeds, the report
 * written at the end) against {@code harness/bench/torch_sweep.py}, the plain PyTorch loop
 * a researcher would write for the same grid (teacher trained once, its logits cached,
 * validation every epoch, one trial after another).
 *
 * <p>Why a sweep-level number: the per-epoch rows compare training loops; what a researcher
 * waits for is the whole grid, where the harness's levers are the teacher-output cache,
 * trials side by side and one process for every trial, and its costs are the store, the
 * probe and the report.
 */
public final class SweepBenchmark {

    /** The grid: 3 temperatures x 2 alphas x 4 seeds. */
    public static final List<Double> TEMPERATURES = List.of(2.0, 4.0, 8.0), ALPHAS = List.of(0.5, 0.9);
    public static final List<Integer> SEEDS = List.of(1, 2, 3, 4);

    /** One side's result: wall seconds and the best configuration's mean test accuracy. */
    public record Side(double seconds, double bestTestAccuracy, String best) {
    }

    private SweepBenchmark() {
    }

    /** The sweep config {@code kd run} gets: the grid, {@code parallel} trials side by side at one thread each. */
    static String yaml(String data, int parallel) {
        return """
                name: bench-sweep
                dataset: {path: %s, validation_fraction: 0.1}
                teacher:
                  model: {type: mlp, hidden: [1200, 1200]}
                  training: {epochs: 5, batch_size: 128, learning_rate: 0.001, optimiser: adam, seed: 7}
                student:
                  model: {type: mlp, hidden: [256, 256]}
                  training: {epochs: 5, batch_size: 128, learning_rate: 0.001, optimiser: adam}
                sweep:
                  methods: [response]
                  temperature: %s
                  alpha: %s
                  seeds: %s
                runtime: {threads_per_trial: 1, parallel_trials: %d, report_every_minutes: 0}
                """.formatted(data, TEMPERATURES, ALPHAS, SEEDS, parallel);
    }

    /** {@code kd run} in a fresh reports directory (no cached teacher), timed from launch to exit. */
    public static Side harness(Path kdHome, String data, int parallel, Path work, Consumer<String> log) throws IOException, InterruptedException {
        Path config = work.resolve("bench-sweep.yaml");
        Files.writeString(config, yaml(data, parallel));
        ProcessBuilder pb = new ProcessBuilder(kdHome.resolve("kd").toString(), "run", config.toString(), "--reports",
                work.resolve("reports").toString()).redirectErrorStream(true);
        Timed run = timed(pb, "kd run");
        String out = run.out();
        double seconds = run.seconds();
        String last = out.lines().filter(l -> l.startsWith("sweep bench-sweep:")).reduce((a, b) -> b).orElse("");
        log.accept("  harness: " + last);
        Matcher m = Pattern.compile("best by mean val: test ([0-9.]+) (.*)$").matcher(last);
        return m.find() ? new Side(seconds, Double.parseDouble(m.group(1)), m.group(2)) : new Side(seconds, Double.NaN, "?");
    }

    /** {@code torch_sweep.py} with the same grid; {@code environment} adjusts its environment (the OpenBLAS core). */
    public static Side torch(String python, Path kdHome, String data, Consumer<Map<String, String>> environment)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(python, kdHome.resolve("harness/bench/torch_sweep.py").toString(), "--data", data,
                "--threads", "1", "--temperatures", join(TEMPERATURES), "--alphas", join(ALPHAS), "--seeds", join(SEEDS));
        environment.accept(pb.environment());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Timed run = timed(pb, "torch_sweep.py");
        double seconds = run.seconds();
        JsonNode json = new ObjectMapper().readTree(run.out().lines().reduce((a, b) -> b).orElse("{}"));
        JsonNode best = json.path("best");
        return new Side(seconds, best.path("test_accuracy").asDouble(Double.NaN),
                "response T=" + best.path("temperature").asDouble() + " a=" + best.path("alpha").asDouble());
    }

    private record Timed(String out, double seconds) {
    }

    /** Runs {@code pb} to its end, wall-clocked from launch to exit; a failure says what exited how. */
    private static Timed timed(ProcessBuilder pb, String what) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            throw new IOException(what + " exited " + code + (out.isBlank() ? "" : ":\n" + out));
        }
        return new Timed(out, seconds);
    }

    private static String join(List<?> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
