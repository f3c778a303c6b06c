package org.kdharness.sweep;

import org.kdharness.config.ConfigHash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Calibrated costs kept on disk per machine, beside the teacher cache ({@code reports/.calibration/}): a second
 * {@code kd plan} (or {@code kd run --deadline}) of the same kinds of trial reads them instead of training again.
 * An entry's key hashes the machine (CPU model and cores, backend, threads per trial, the harness's commit and its
 * libraries) and everything the calibrated cost depends on (the networks, the training recipe, the data's spec, the
 * kind of trial, the trials side by side, the engine); a change to any of them calibrates anew.
 *
 * <p>Why: calibrating trains real trials for a moment each, and on a shared machine that took 1.3-2.4 minutes for
 * the quickstart, with estimates of the same teacher 50 % apart between two runs; a plan read twice should take
 * seconds and say the same. The price: a cached figure keeps the load the machine had when it was measured
 * ({@code --recalibrate} measures again).
 */
final class CalibrationCache {

    private final Path dir;
    private final String machine;
    private final boolean refresh;

    /**
     * @param dir     where entries live (created on first write)
     * @param machine the machine's identity (what a figure measured here holds for)
     * @param refresh measure again and overwrite, ignoring what is stored
     */
    CalibrationCache(Path dir, String machine, boolean refresh) {
        this.dir = dir;
        this.machine = machine;
        this.refresh = refresh;
    }

    /** A cache that keeps nothing (tests, and callers without a reports directory). */
    static CalibrationCache none() {
        return new CalibrationCache(null, "", true);
    }

    /** This machine's identity for {@code backend} (the GEMM rate, which drifts, is left out). */
    static String machine(Backend backend) {
        return backend.device() + " | " + backend.backend().split(" \\|")[0] + " | threads " + backend.threads() + " | commit "
                + backend.gitCommit() + " | " + backend.libraries();
    }

    /** The entry's key: a hash of the machine and {@code parts} (records and strings, in order). */
    String key(String what, Object... parts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("what", what);
        m.put("machine", machine);
        for (int i = 0; i < parts.length; i++) {
            m.put("part" + i, parts[i]);
        }
        return what + "-" + ConfigHash.sha256(ConfigHash.canonicalJson(m), 16);
    }

    /** The figures stored under {@code key}, unless absent, unreadable or refreshing. */
    Optional<double[]> get(String key) {
        if (dir == null || refresh) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(dir.resolve(key), StandardCharsets.UTF_8).trim();
            return Optional.of(Arrays.stream(text.split("\\s+")).mapToDouble(Double::parseDouble).toArray());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Stores {@code values} under {@code key} (atomically: a reader never sees half an entry); a failure only loses the entry. */
    void put(String key, double... values) {
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            StringBuilder sb = new StringBuilder();
            for (double v : values) {
                sb.append(sb.length() == 0 ? "" : " ").append(v);
            }
            Files.writeString(tmp, sb.append('\n'), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(key), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // a read-only or full reports directory: the next plan calibrates again
        }
    }

    /** The {@code length} figures under {@code key}, measured by {@code measure} and stored when absent or damaged. */
    double[] computeIfAbsent(String key, int length, java.util.function.Supplier<double[]> measure) {
        return stored(key, length).orElseGet(() -> measured(key, measure.get()));
    }

    /** The {@code length} figures stored under {@code key}: empty when absent, damaged or refreshing. */
    Optional<double[]> stored(String key, int length) {
        return get(key).filter(v -> v.length == length);
    }

    /** Stores {@code values}, just measured, under {@code key}, and returns them. */
    double[] measured(String key, double[] values) {
        put(key, values);
        return values;
    }

    /**
     * The cache for {@code backend}'s machine under {@code dir}, or one that keeps nothing when the harness's code is not
     * known (no git: a figure would then outlive the code that was timed; uncommitted changes are named by their diff's
     * hash, {@link Backend#gitCommit}).
     */
    static CalibrationCache of(Path dir, Backend backend, boolean refresh) {
        return backend.gitCommit().equals("unknown") ? none() : new CalibrationCache(dir, machine(backend), refresh);
    }
}
