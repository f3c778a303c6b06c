package org.kdharness.train;

import com.sun.jna.NativeLibrary;
import org.nd4j.linalg.factory.Nd4j;


/**
 * OpenMP's thread count for the calling thread, through the {@code libgomp} ND4J loaded.
 *
 * <p>Why: ND4J's matrix products run on oneDNN, whose threads are OpenMP's, and {@code ./kd}
 * caps OpenMP at one thread ({@code OMP_NUM_THREADS=1}) so that trials side by side do not
 * oversubscribe the cores. The teacher, though, trains alone before any trial starts: at one
 * thread it left the other core idle for the first 22 s of the 24-trial sweep benchmark.
 * OpenMP's setting is per thread ({@code omp_set_num_threads} changes the caller's), so the
 * teacher's thread can use every core while trial threads keep theirs. Measured here: an
 * SGEMM 1024^3 at 262 GFLOP/s on one thread, 512 on two, with bit-identical results.
 */
public final class OpenMpThreads {

    private OpenMpThreads() {
    }

    /**
     * Sets the calling thread's OpenMP thread count and returns the previous one, or -1 (and
     * changes nothing) where there is no OpenMP runtime to reach (not the CPU backend, no
     * {@code libgomp} mapped, JNA unavailable).
     */
    public static int set(int threads) {
        NativeLibrary gomp = gomp();
        if (gomp == null) {
            return -1;
        }
        int before = gomp.getFunction("omp_get_max_threads").invokeInt(new Object[0]);
        gomp.getFunction("omp_set_num_threads").invokeVoid(new Object[]{threads});
        return before;
    }

    /** The calling thread's OpenMP thread count, or -1 where unknown. */
    public static int get() {
        NativeLibrary gomp = gomp();
        return gomp == null ? -1 : gomp.getFunction("omp_get_max_threads").invokeInt(new Object[0]);
    }

    private static NativeLibrary gomp() {
        if (!Nd4j.getEnvironment().isCPU()) {
            return null;
        }
        try {
            String file = MappedLibraries.paths().stream().filter(p -> p.matches(".*/libgomp[^/]*\\.so[.0-9]*")).findFirst().orElse(null);
            return file == null ? null : NativeLibrary.getInstance(file);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
