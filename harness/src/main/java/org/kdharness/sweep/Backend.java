package org.kdharness.sweep;

import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the numbers were computed on: ND4J backend, device, threads, libraries, commit.
 *
 * <p>Why: a result without its hardware and software is not reproducible; this is printed
 * at the start of every run and stored with it.
 *
 * @param backend   ND4J backend class, data type and what computes its GEMMs at what rate
 *                  ({@link GemmIdentity#summary}), at most 200 characters as the store keeps it
 * @param device    CPU model (or GPU name on the CUDA backend)
 * @param threads   threads each trial may use
 * @param libraries versions of the numeric and storage libraries, from the classpath
 * @param gitCommit the harness's commit, or "unknown"
 * @param gemm      the GEMM library and its measured rate at {@code threads}
 */
public record Backend(String backend, String device, int threads, String libraries, String gitCommit, GemmIdentity gemm) {

    /** Side of the square SGEMM timed at start-up: about 0.15 s for both routes at one thread here. */
    static final int GEMM_PROBE_SIZE = 1024;

    /** Applies the thread budget to ND4J and describes the backend. */
    public static Backend configure(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        GemmIdentity gemm = GemmIdentity.measure(GEMM_PROBE_SIZE, threads);
        String backend = Nd4j.getBackend().getClass().getSimpleName() + " (" + Nd4j.dataType() + ") | " + gemm.summary();
        backend = backend.length() > 200 ? backend.substring(0, 200) : backend;
        String device = Nd4j.getEnvironment().isCPU() ? cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores" : String.valueOf(env.getOrDefault("cuda.devicesInformation", "gpu"));
        return new Backend(backend, device, threads, listLibraries(), readGitCommit(), gemm);
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    private static String listLibraries() {
        TreeSet<String> jars = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.matches("(nd4j-api|nd4j-native|nd4j-cuda.*|tribuo-core|h2|freemarker|commons-math3|javacpp|openblas)-\\d.*\\.jar")) {
                jars.add(name.replace(".jar", ""));
            }
        }
        return jars.stream().collect(Collectors.joining(", ")) + ", java " + System.getProperty("java.version");
    }

    /**
     * The harness's commit, read in its repository ({@code KD_HOME}, which {@code ./kd} sets; else the working
     * directory), with {@code -dirty-} and a hash of the diff when tracked files have uncommitted changes; "unknown"
     * without git.
     */
    private static String readGitCommit() {
        String home = System.getenv("KD_HOME");
        java.io.File dir = home == null ? null : new java.io.File(home);
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").directory(dir).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0 || !out.matches("[0-9a-f]+")) {
                return "unknown";
            }
            // uncommitted changes to tracked files: named by a hash of the diff, so that code changed since the commit
            // is not taken for the commit's (provenance, and the calibration cache's key)
            Process diff = new ProcessBuilder("git", "diff", "HEAD").directory(dir).redirectErrorStream(true).start();
            String changes = new String(diff.getInputStream().readAllBytes());
            if (diff.waitFor() != 0) {
                return out;
            }
            return changes.isBlank() ? out : out + "-dirty-" + org.kdharness.config.ConfigHash.sha256(changes, 8);
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    @Override
    public String toString() {
        return "backend " + backend + " | device " + device + " | threads/trial " + threads;
    }
}
