package org.kdharness.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OpenBLAS kernel set the PyTorch reference of {@code kd bench} runs with.
 *
 * <p>Why: PyTorch's matrix products here are Debian's OpenBLAS, whose speed depends on the
 * kernel set it picks for the CPU, and the environment can force one
 * ({@code OPENBLAS_CORETYPE}). Measured on a 2-core AMD EPYC (Zen 5, AVX-512) at one thread:
 * OpenBLAS 0.3.21's own choice (Cooperlake) 262 GFLOP/s, the Haswell set that this machine's
 * environment forces 132 GFLOP/s. Against the forced Haswell set the harness looked 1.5x
 * faster than it is; a benchmark should beat the reference at its best, so by default the
 * reference's SGEMM is timed under each candidate and the fastest is used (a later candidate
 * must beat the one before by more than 5 %, timing noise, so ties keep the inherited
 * setting), and all are printed.
 *
 * @param coretype the value to set, or null to remove the variable (OpenBLAS's own choice)
 * @param inherit  whether to leave the environment as it is
 * @param label    how the choice is described in the output
 */
record TorchReference(String coretype, boolean inherit, String label) {

    private static final String VARIABLE = "OPENBLAS_CORETYPE";

    static TorchReference choose(String python, int threads, String mode, Consumer<String> log) {
        String inherited = System.getenv(VARIABLE);
        TorchReference keep = new TorchReference(inherited, true, inherited == null ? "OpenBLAS's own choice" : VARIABLE + "=" + inherited + " (inherited)");
        if (mode.equals("inherit")) {
            return keep;
        }
        if (!mode.equals("best")) {
            return new TorchReference(mode, false, VARIABLE + "=" + mode);
        }
        List<TorchReference> candidates = new ArrayList<>(List.of(keep));
        if (inherited != null) {
            candidates.add(new TorchReference(null, false, "OpenBLAS's own choice"));
        }
        if (avx512() && !"SkylakeX".equalsIgnoreCase(inherited)) {
            candidates.add(new TorchReference("SkylakeX", false, VARIABLE + "=SkylakeX"));
        }
        TorchReference best = keep;
        double bestRate = 0;
        for (TorchReference c : candidates) {
            double rate = c.sgemm(python, threads, log);
            // a candidate must beat the one before by more than timing noise to be chosen
            if (rate > 0 && (bestRate == 0 || rate > bestRate * 1.05)) {
                best = c;
                bestRate = rate;
            }
        }
        log.accept("PyTorch reference runs with " + best.label + " (the fastest SGEMM above; --torch-core inherit|NAME to choose)");
        return best;
    }

    /** Sets this choice in a child process's environment. */
    void applyTo(Map<String, String> env) {
        if (inherit) {
            return;
        }
        if (coretype == null) {
            env.remove(VARIABLE);
        } else {
            env.put(VARIABLE, coretype);
        }
    }

    /** torch's SGEMM rate under this choice ({@code torch_bench.py --gemm-only}), printed; -1 when it fails. */
    private double sgemm(String python, int threads, Consumer<String> log) {
        Path script = Path.of(System.getenv().getOrDefault("KD_HOME", ".")).resolve("harness/bench/torch_bench.py");
        try {
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--threads", String.valueOf(threads), "--gemm-only");
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            applyTo(pb.environment());
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                log.accept("PyTorch SGEMM with " + label + ": failed (exit " + p.exitValue() + ")");
                return -1;
            }
            JsonNode json = new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
            double rate = json.path("gflops").asDouble(-1);
            log.accept(String.format(Locale.ROOT, "PyTorch SGEMM 1024^3 with %s: %.0f GFLOP/s (core %s)", label, rate,
                    json.path("blas").path("core").asText("?")));
            return rate;
        } catch (IOException e) {
            log.accept("PyTorch SGEMM with " + label + ": failed (" + e.getMessage() + ")");
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Whether the CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels use (Linux flags). */
    private static boolean avx512() {
        try {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                    .findFirst().orElse("");
            List<String> have = List.of(flags.split("\\s+"));
            return have.containsAll(List.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"));
        } catch (IOException e) {
            return false;
        }
    }
}
