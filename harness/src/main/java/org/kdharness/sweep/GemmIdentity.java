package org.kdharness.sweep;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.kdharness.train.MappedLibraries;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Locale;

/**
 * Which library computes the harness's matrix products on this machine, and how fast.
 *
 * <p>Why: every training row is bound by SGEMM, so a timing or a ratio against PyTorch
 * means little without the GEMM it ran on. Measured here (AMD EPYC Zen 5 with AVX-512, one
 * thread, 1024^3): ND4J's {@code mmul} with the {@code -onednn} natives runs oneDNN's JIT
 * sgemm (perf shows no OpenBLAS kernel), 245-270 GFLOP/s, for every transpose, alpha and
 * beta the trainer uses; the OpenBLAS 0.3.19 that ND4J bundles does not know this CPU family
 * and picks its {@code Barcelona} kernels, 58 GFLOP/s ({@code Haswell} 130 and
 * {@code SkylakeX} 243 when {@code OPENBLAS_CORETYPE} forces them); PyTorch's Debian
 * OpenBLAS 0.3.21 picks {@code Cooperlake}, 240-270. Printed next to the timings, these
 * tell a reader which arithmetic a ratio compares.
 *
 * <p>The route is inferred: {@code oneDNN} when the {@code -onednn} natives are loaded and
 * ND4J's platform helpers are allowed (ND4J then hands matrix products to oneDNN), else
 * {@code OpenBLAS}; the two rates side by side show whether the difference is real.
 *
 * <p>The OpenBLAS is described by calling its own {@code openblas_get_config} and
 * {@code openblas_get_corename} through JNA (already on the classpath through ND4J) and
 * timed by calling its {@code cblas_sgemm} directly, so the identity is the library's own
 * account of itself, not a guess from file names.
 *
 * @param route          what ND4J's {@code mmul} runs on: {@code oneDNN}, {@code OpenBLAS} or {@code CUDA}
 * @param gflops         SGEMM rate through ND4J's {@code mmul} (the harness's route), GFLOP/s
 * @param openblas       the loaded OpenBLAS's own description (version and build options), or why unknown
 * @param openblasCore   the kernel set it chose for this CPU ({@code openblas_get_corename}), or empty
 * @param openblasFile   the OpenBLAS shared library this process loaded, or empty
 * @param openblasGflops SGEMM rate of that OpenBLAS called directly, GFLOP/s; NaN when it could not be called
 * @param size           the square matrices' side the rates were measured at
 * @param threads        the thread setting they were measured at
 */
public record GemmIdentity(String route, double gflops, String openblas, String openblasCore, String openblasFile,
                           double openblasGflops, int size, int threads) {

    private static final int ROW_MAJOR = 101, NO_TRANSPOSE = 111;
    /** ND4J's bundled {@code libopenblas_nolapack.so.0} / {@code libopenblas.so.0}, or a system {@code libopenblasp-r0.3.21.so}. */
    private static final String OPENBLAS_FILE = ".*/libopenblas[^/]*\\.so[.0-9]*";

    /** Measures both routes at {@code size}^3 (best of 5 after a warm-up) at ND4J's current thread setting. */
    public static GemmIdentity measure(int size, int threads) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return new GemmIdentity("CUDA", rate(size, false), "not used", "", "", Double.NaN, size, threads);
        }
        List<String> maps = MappedLibraries.paths();
        boolean onednn = maps.stream().anyMatch(p -> p.contains("nd4jcpu") && p.contains("onednn"))
                && Nd4j.getEnvironment().helpersAllowed();
        String file = openblasFile(maps);
        String description = "not loaded", core = "";
        double direct = Double.NaN;
        if (!file.isEmpty()) {
            try {
                NativeLibrary lib = NativeLibrary.getInstance(file);
                core = lib.getFunction("openblas_get_corename").invokeString(new Object[0], false);
                // its config names the core too; said once, with whether the environment forced it
                description = lib.getFunction("openblas_get_config").invokeString(new Object[0], false).replace(" " + core + " ", " ");
                if (System.getenv("OPENBLAS_CORETYPE") != null) {
                    core += " (OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE") + ")";
                }
                direct = rate(size, true);
            } catch (RuntimeException | LinkageError e) {
                // JNA missing its native part (no executable temp dir, another platform): the identity says so, the run goes on
                description = "unknown (" + e.getMessage() + ")";
            }
        }
        return new GemmIdentity(onednn ? "oneDNN" : "OpenBLAS", rate(size, false), description, core, file, direct, size, threads);
    }

    /** GFLOP/s of {@code size}^3 SGEMMs, through ND4J's {@code mmul} or OpenBLAS's {@code cblas_sgemm} directly. */
    private static double rate(int size, boolean direct) {
        INDArray a = Nd4j.rand(DataType.FLOAT, size, size), b = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray c = Nd4j.zeros(DataType.FLOAT, size, size);
        com.sun.jna.Function sgemm = direct ? loadedOpenblas().getFunction("cblas_sgemm") : null;
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            if (direct) {
                directProduct(sgemm, a, b, c);
            } else {
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (i > 0) {
                best = Math.min(best, s);
            }
        }
        return 2.0 * size * size * size / best / 1e9;
    }

    /**
     * {@code c = a b} by the loaded OpenBLAS's {@code cblas_sgemm} (row-major, 'c'-ordered
     * float matrices with no offset), so the direct rate is the rate of a correct product.
     */
    static void directProduct(INDArray a, INDArray b, INDArray c) {
        directProduct(loadedOpenblas().getFunction("cblas_sgemm"), a, b, c);
    }

    private static void directProduct(com.sun.jna.Function sgemm, INDArray a, INDArray b, INDArray c) {
        for (INDArray x : new INDArray[]{a, b, c}) {
            if (x.ordering() != 'c' || x.offset() != 0 || x.dataType() != DataType.FLOAT || x.rank() != 2) {
                throw new IllegalArgumentException("directProduct takes 'c'-ordered float matrices without offset");
            }
        }
        int m = (int) a.rows(), k = (int) a.columns(), n = (int) b.columns();
        if (b.rows() != k || c.rows() != m || c.columns() != n) {
            throw new IllegalArgumentException("shapes do not multiply");
        }
        sgemm.invokeVoid(new Object[]{ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, m, n, k, 1f, new Pointer(a.data().address()), k,
                new Pointer(b.data().address()), n, 0f, new Pointer(c.data().address()), n});
    }

    private static NativeLibrary loadedOpenblas() {
        String file = openblasFile(MappedLibraries.paths());
        if (file.isEmpty()) {
            throw new IllegalStateException("no OpenBLAS loaded");
        }
        return NativeLibrary.getInstance(file);
    }

    /** The mapped OpenBLAS, preferring the no-LAPACK build ND4J's BLAS calls go to; empty when none. */
    private static String openblasFile(List<String> maps) {
        return maps.stream().filter(p -> p.matches(OPENBLAS_FILE))
                .min(java.util.Comparator.comparing(p -> !p.contains("nolapack"))).orElse("");
    }

    /** The OpenBLAS version and core, e.g. {@code OpenBLAS 0.3.19 Haswell}, for one-line summaries. */
    public String openblasShort() {
        String[] words = openblas.split(" ");
        return (words.length >= 2 && words[0].equals("OpenBLAS") ? words[0] + " " + words[1] : openblas)
                + (openblasCore.isEmpty() ? "" : " " + openblasCore);
    }

    /** One line, stored with every run: route and rate first, the OpenBLAS beside it. */
    public String summary() {
        return String.format(Locale.ROOT, "GEMM %s %.0f GFLOP/s (SGEMM %d^3, %d thread%s); %s %s", route, gflops, size, threads,
                threads == 1 ? "" : "s", openblasShort(), Double.isNaN(openblasGflops) ? "" : String.format(Locale.ROOT, "%.0f GFLOP/s", openblasGflops));
    }
}
