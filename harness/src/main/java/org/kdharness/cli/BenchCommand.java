package org.kdharness.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.kdharness.bench.Benchmark;
import org.kdharness.bench.StoreBenchmark;
import org.kdharness.bench.SweepBenchmark;
import org.kdharness.sweep.Backend;
import org.kdharness.sweep.GemmIdentity;
import org.kdharness.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kd bench}: times the harness's distillation work and, when Debian's python3-torch
 * is installed, the identical PyTorch script, printing the ratio per row.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark one epoch of teacher and student training (batch 128) against PyTorch on the same work.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--data", description = "Fashion-MNIST IDX directory (default: the full set if installed, else the shipped subset)")
    String data;

    @Option(names = "--threads", defaultValue = "1", description = "threads for both sides (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--cnn", description = "also time the (slow) CNN rows")
    boolean cnn;

    @Option(names = "--resnet", description = "also time the residual-network rows (resnet20 teacher, resnet8x4 student; on 2,048"
            + " examples; cached teacher outputs, i.e. without augmentation, under which a trial also runs the teacher on every batch)")
    boolean resnet;

    @Option(names = "--cifar", description = "also time the CIFAR-100-shaped rows (3x32x32, 100 classes, from a CIFAR-100 binary file"
            + " the bench writes): resnet32x4 teacher forward, resnet8x4 response-KD and FitNet epochs, WRN-16-2 response-KD epoch")
    boolean cifar;

    /** Debian's libjemalloc2, which the PyTorch reference runs on where it is installed. */
    private static final Path JEMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");

    /** The CIFAR-shaped rows' files, written once per bench, or null. */
    private Path cifarDir;

    @Option(names = "--repeat", defaultValue = "3",
            description = "rounds, each the harness rows then the PyTorch rows; medians and the median of per-round ratios are printed (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--engine", defaultValue = "AUTO",
            description = "AUTO (the layer engine, as sweeps use), LAYERS (the same; kept for older commands) or GRAPH (SameDiff for everything) (default: ${DEFAULT-VALUE})")
    Trainer.Engine engine;

    @Option(names = "--only", paramLabel = "REGEX",
            description = "time only the rows whose name contains a match of REGEX, on both sides (e.g. 'CNN')")
    String only;

    @Option(names = "--torch-core", defaultValue = "best", paramLabel = "best|inherit|NAME",
            description = "OpenBLAS kernel set for the PyTorch reference: 'best' times torch's SGEMM with the inherited "
                    + "OPENBLAS_CORETYPE, with OpenBLAS's own choice and (AVX-512 CPUs) SkylakeX, and runs the reference "
                    + "with the fastest; 'inherit' keeps the environment's; or a core name (default: ${DEFAULT-VALUE})")
    String torchCore;

    @Option(names = "--sweep", description = "instead of the epoch rows: a 24-trial response-KD grid end to end, kd run against "
            + "the plain PyTorch loop (harness/bench/torch_sweep.py), and the ratio of wall times")
    boolean sweep;

    @Option(names = "--parallel", defaultValue = "2", description = "--sweep: trials side by side on the harness's side (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "Python with Debian's python3-torch for the reference (default: ${DEFAULT-VALUE}); 'none' to skip")
    String python;

    private GemmIdentity backendGemm;

    @Override
    public Integer call() throws Exception {
        String dir = data != null ? data : Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist"))
                ? "/usr/share/datasets/fashion-mnist" : "datasets/fashion-mnist-small";
        if (repeat < 1) {
            System.err.println("kd bench: --repeat must be at least 1");
            return 2;
        }
        Backend backend = Backend.configure(threads);
        System.out.println("kd bench | " + backend + " | data " + dir);
        GemmIdentity gemm = backend.gemm();
        backendGemm = gemm;
        System.out.printf(Locale.ROOT, "harness GEMM: ND4J mmul -> %s, SGEMM %d^3 %.0f GFLOP/s at %d thread(s); ND4J's %s %s: %.0f GFLOP/s called directly (%s)%n",
                gemm.route(), gemm.size(), gemm.gflops(), threads, gemm.openblas(), gemm.openblasCore(), gemm.openblasGflops(), gemm.openblasFile());
        TorchReference reference = python.equals("none") || !new File(python).canExecute() ? null
                : TorchReference.choose(python, threads, torchCore, System.out::println);
        if (sweep) {
            return sweep(dir, reference);
        }
        Benchmark bench = new Benchmark(dir, engine, System.out::println);
        cifarDir = cifar ? Benchmark.writeCifar(Files.createTempDirectory("kd-bench-cifar")) : null;
        List<List<Benchmark.Row>> rounds = new ArrayList<>();
        List<Map<String, Double>> torchRounds = new ArrayList<>();
        for (int round = 1; round <= repeat; round++) {
            System.out.println("round " + round + "/" + repeat + ", harness (ND4J, engine " + engine + "):");
            if (resnet && round == 1) {
                System.out.println("note: the residual rows distil from cached teacher outputs; with dataset.augment a trial also"
                        + " runs the teacher on every training batch (not timed here)");
            }
            List<Benchmark.Row> harnessRows = new ArrayList<>(bench.run(cnn, resnet, rowFilter()));
            if (cifarDir != null) {
                harnessRows.addAll(bench.cifar(cifarDir, rowFilter()));
            }
            rounds.add(harnessRows);
            torchRounds.add(torch(dir, reference, torchRounds.isEmpty()));
        }
        double peak = bench.processPeakMib();
        List<Benchmark.Row> rows = medianRows(rounds);

        System.out.printf(Locale.ROOT, "%nmedians over %d round(s); ratio = median of the per-round harness/torch ratios (min-max); MiB = the"
                + " largest over the rounds of each process's peak resident memory while the row ran (its high-water mark reset before"
                + " the row; what earlier rows left resident counts)%n", repeat);
        System.out.printf(Locale.ROOT, "%-60s %10s %12s %10s %8s %14s %12s %10s %9s%n", "row (one epoch, batch 128)", "harness s", "samples/s",
                "torch s", "ratio", "ratio range", "harness MiB", "torch MiB", "MiB ratio");
        for (int i = 0; i < rows.size(); i++) {
            Benchmark.Row r = rows.get(i);
            List<Double> torchTimes = new ArrayList<>(), ratios = new ArrayList<>();
            for (int k = 0; k < rounds.size(); k++) {
                Double t = torchRounds.get(k).get(r.name());
                if (t != null) {
                    torchTimes.add(t);
                    ratios.add(rounds.get(k).get(i).seconds() / t);
                }
            }
            boolean any = !ratios.isEmpty();
            double torchPeak = torchRounds.stream().map(m -> m.get(r.name() + PEAK)).filter(java.util.Objects::nonNull)
                    .mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            System.out.printf(Locale.ROOT, "%-60s %10.2f %12.0f %10s %8s %14s %12s %10s %9s%n", r.name(), r.seconds(), r.samplesPerSecond(),
                    any ? String.format(Locale.ROOT, "%.2f", median(torchTimes)) : "-",
                    any ? String.format(Locale.ROOT, "%.2fx", median(ratios)) : "-",
                    any ? String.format(Locale.ROOT, "%.2f-%.2f", java.util.Collections.min(ratios), java.util.Collections.max(ratios)) : "-",
                    Double.isNaN(r.peakMib()) ? "-" : String.format(Locale.ROOT, "%.0f", r.peakMib()),
                    Double.isNaN(torchPeak) ? "-" : String.format(Locale.ROOT, "%.0f", torchPeak),
                    Double.isNaN(torchPeak) || Double.isNaN(r.peakMib()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.peakMib() / torchPeak));
        }
        if (rows.stream().noneMatch(r -> r.name().equals("student epoch, response"))
                || rows.stream().noneMatch(r -> r.name().startsWith("prepare teacher outputs"))) {
            System.out.printf(Locale.ROOT, "peak resident memory of the harness process: %.0f MiB%n", peak);
            return 0;
        }
        int n = bench.data().train().size();
        Benchmark.Row response = Benchmark.row(rows, "student epoch, response"), prep = Benchmark.row(rows, "prepare teacher outputs");
        // forward + backward of a dense net ~ 3 x forward multiply-adds x 2 flops; the teacher's soft targets are inputs
        double flops = 6.0 * (784 * 256 + 256 * 256 + 256 * 10) * n;
        double gemmRate = gemm.gflops();
        System.out.printf(Locale.ROOT, "%nresponse-KD student step: %.2f GFLOP/s achieved (model FLOPs only) vs %.1f GFLOP/s SGEMM 1024^3 at %d thread(s): %.0f%% of GEMM rate%n",
                flops / response.seconds() / 1e9, gemmRate, threads, 100 * flops / response.seconds() / 1e9 / gemmRate);
        double trial = 5 * response.seconds();
        System.out.printf(Locale.ROOT, "24-trial sweep of 5-epoch response trials (derived from the rows): %.0f s with the teacher-output cache,"
                + " %.0f s if every trial recomputed teacher outputs (%.1f%% saved)%n", prep.seconds() + 24 * trial,
                24 * (prep.seconds() + trial), 100 * (1 - (prep.seconds() + 24 * trial) / (24 * (prep.seconds() + trial))));
        StoreBenchmark.Result store = StoreBenchmark.run();
        System.out.printf(Locale.ROOT, "store: %.2f ms per epoch's metric write (%d metrics), %.3f%% of a response epoch; report for %d trials rendered in %.2f s%n",
                store.epochWriteMillis(), store.metricsPerEpoch(), 100 * store.epochWriteMillis() / 1000 / response.seconds(),
                store.reportTrials(), store.reportSeconds());
        System.out.printf(Locale.ROOT, "peak resident memory of the harness process: %.0f MiB (max heap %d MiB)%n", peak,
                Runtime.getRuntime().maxMemory() >> 20);
        return 0;
    }

    /** {@code --sweep}: the whole grid on both sides, one after the other, and the ratio of wall times. */
    private int sweep(String dir, TorchReference reference) throws Exception {
        Path home = Path.of(System.getenv().getOrDefault("KD_HOME", ".")).toAbsolutePath();
        Path work = Files.createTempDirectory("kd-bench-sweep");
        System.out.printf(Locale.ROOT, "sweep: %d response-KD trials (T %s x alpha %s x seeds %s), teacher 784-1200-1200-10 trained once, "
                        + "784-256-256-10 students, 5 epochs each, data %s%n", 24, SweepBenchmark.TEMPERATURES, SweepBenchmark.ALPHAS,
                SweepBenchmark.SEEDS, dir);
        SweepBenchmark.Side h = SweepBenchmark.harness(home, dir, parallel, work, System.out::println);
        System.out.printf(Locale.ROOT, "harness (kd run, %d trials side by side, 1 thread each, report included): %.1f s, best %s test %.4f%n",
                parallel, h.seconds(), h.best(), h.bestTestAccuracy());
        if (reference == null) {
            System.out.println("PyTorch reference skipped (no " + python + ")");
            return 0;
        }
        SweepBenchmark.Side t = SweepBenchmark.torch(python, home, dir, reference::applyTo);
        System.out.printf(Locale.ROOT, "PyTorch (torch_sweep.py, one loop, 1 thread): %.1f s, best %s test %.4f%n", t.seconds(), t.best(),
                t.bestTestAccuracy());
        System.out.printf(Locale.ROOT, "sweep wall time ratio harness/PyTorch: %.2fx%n", h.seconds() / t.seconds());
        return 0;
    }

    private java.util.function.Predicate<String> rowFilter() {
        return only == null ? name -> true : java.util.regex.Pattern.compile(only).asPredicate();
    }

    /** Per row, the round with the median time (rows are in the same order in every round). */
    private static List<Benchmark.Row> medianRows(List<List<Benchmark.Row>> rounds) {
        List<Benchmark.Row> out = new ArrayList<>();
        for (int i = 0; i < rounds.get(0).size(); i++) {
            List<Double> times = new ArrayList<>();
            double peak = Double.NaN;
            for (List<Benchmark.Row> r : rounds) {
                times.add(r.get(i).seconds());
                peak = Double.isNaN(peak) ? r.get(i).peakMib() : Math.max(peak, r.get(i).peakMib());
            }
            Benchmark.Row first = rounds.get(0).get(i);
            out.add(new Benchmark.Row(first.name(), median(times), first.samples(), peak));
        }
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The key suffix of a PyTorch row's peak resident memory beside its seconds. */
    private static final String PEAK = "#peak_mib";

    /**
     * Per PyTorch row, its seconds under its name and its peak resident memory (MiB) under the name and {@link #PEAK};
     * {@code first}: the first round, which prints torch's build configuration (once, not per round).
     */
    private Map<String, Double> torch(String dir, TorchReference reference, boolean first) {
        Map<String, Double> out = new HashMap<>();
        if (reference == null) {
            System.out.println("PyTorch reference skipped (no " + python + "; apt-get install python3-torch libopenblas0-pthread)");
            return out;
        }
        Path script = Path.of(System.getenv().getOrDefault("KD_HOME", ".")).resolve("harness/bench/torch_bench.py");
        try {
            System.out.println("PyTorch reference (" + script + "):");
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--data", dir, "--threads", String.valueOf(threads), "--json");
            if (cnn) {
                pb.command().add("--cnn");
            }
            if (resnet) {
                pb.command().add("--resnet");
            }
            if (cifarDir != null) {
                pb.command().addAll(List.of("--cifar", cifarDir.toString()));
            }
            if (only != null) {
                pb.command().addAll(List.of("--only", only));
            }
            if (first) {
                pb.command().add("--show-config");
            }
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            reference.applyTo(pb.environment());
            if (Files.isReadable(JEMALLOC) && !pb.environment().getOrDefault("LD_PRELOAD", "").contains("jemalloc")
                    && !"glibc".equals(System.getenv("KD_MALLOC"))) {
                // glibc maps every block over 32 MiB (its ceiling for MALLOC_MMAP_THRESHOLD_) afresh: PyTorch allocates each
                // activation per op, and a [128, 64, 32, 32] one (33.5 MB) paid a page fault per page at every step (resnet8x4 on
                // CIFAR shapes: 1,179-1,667 ms a step, 967 ms under jemalloc without decay). ./kd runs the harness on jemalloc
                // where it is installed; the reference gets the same allocator (inherited, or set here).
                pb.environment().put("LD_PRELOAD", JEMALLOC.toString());
                pb.environment().put("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1,retain:true");
            }
            System.out.println("allocator: harness " + (System.getenv().getOrDefault("LD_PRELOAD", "").contains("jemalloc") ? "jemalloc" : "glibc")
                    + ", PyTorch reference " + (pb.environment().getOrDefault("LD_PRELOAD", "").contains("jemalloc") ? "jemalloc" : "glibc")
                    + " (MALLOC_CONF " + pb.environment().getOrDefault("MALLOC_CONF", "unset") + ")");
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            String stdout = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.out.println("PyTorch reference failed (exit " + p.exitValue() + ")");
                return out;
            }
            JsonNode json = new ObjectMapper().readTree(stdout.lines().reduce((a, b) -> b).orElse("{}"));
            System.out.println("torch " + json.path("torch").asText() + ", threads " + json.path("threads").asInt() + ", libblas.so.3 -> "
                    + json.path("libblas").asText());
            JsonNode g = json.path("gemm");
            System.out.printf(Locale.ROOT, "SGEMM 1024^3 at %d thread(s): harness %.0f GFLOP/s (%s) | PyTorch %.0f GFLOP/s (%s, core %s)%n",
                    threads, backendGemm.gflops(), backendGemm.route(), g.path("gflops").asDouble(),
                    g.path("blas").path("config").asText(), g.path("blas").path("core").asText());
            json.path("rows").forEach(r -> {
                out.put(r.path("row").asText(), r.path("seconds").asDouble());
                if (r.hasNonNull("peak_mib")) {
                    out.put(r.path("row").asText() + PEAK, r.path("peak_mib").asDouble());
                }
            });
        } catch (Exception e) {
            System.out.println("PyTorch reference failed: " + e.getMessage());
        }
        return out;
    }
}
