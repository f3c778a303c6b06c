package org.kdharness.bench;

import org.kdharness.report.HtmlReport;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Costs of the store and the report: one epoch's metric write (what every epoch pays) and
 * rendering a report for a 1,000-trial sweep, on a temporary H2 file store.
 */
public final class StoreBenchmark {

    /** Measured store and report costs. */
    public record Result(double epochWriteMillis, int metricsPerEpoch, int reportTrials, double reportSeconds) {
    }

    private StoreBenchmark() {
    }

    public static Result run() {
        Path dir;
        try {
            dir = Files.createTempDirectory("kd-bench-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("metrics") + ";AUTO_SERVER=TRUE")) {
            store.upsertSweep("bench", "name: bench\n");
            int trials = 1000;
            List<MetricsStore.PlannedTrial> planned = new ArrayList<>();
            Random r = new Random(1);
            for (int i = 0; i < trials; i++) {
                String method = i % 3 == 0 ? "baseline" : i % 3 == 1 ? "response" : "feature";
                planned.add(new MetricsStore.PlannedTrial(String.format("t%05d", i), i, method,
                        method.equals("baseline") ? null : (double) (1 + i % 8), method.equals("baseline") ? null : 0.1 * (1 + i % 9),
                        method.equals("feature") ? 0.8 : null, method.equals("feature") ? 0.2 : null,
                        method.equals("feature") ? "s2<-t" + (1 + i % 4) : null, method.equals("feature") ? "mse" : null,
                        i % 5, null, null, null, null, null, "{}", String.format("t%05d", i)));
            }
            store.addTrials("bench", planned);
            Map<String, Double> epoch = new LinkedHashMap<>();
            for (String k : List.of("epoch", "train_loss", "train_hard_ce", "train_soft_ce", "train_soft_kl", "train_feature_m1",
                    "train_feature_loss1", "val_accuracy", "epoch_seconds")) {
                epoch.put(k, r.nextDouble());
            }
            long writing = 0;
            int writes = 0;
            for (int i = 0; i < trials; i++) {
                String id = String.format("t%05d", i);
                store.claimNext("bench", "bench:1", 0, 1);
                for (int e = 1; e <= 5; e++) {
                    long t0 = System.nanoTime();
                    store.recordEpoch("bench", id, e, epoch);
                    writing += System.nanoTime() - t0;
                    writes++;
                }
                Map<String, Double> finals = new LinkedHashMap<>();
                for (String k : List.of("test_accuracy", "val_accuracy", "train_accuracy", "test_teacher_agreement", "test_macro_f1",
                        "test_ece", "test_kl_to_teacher", "student_params", "compression_ratio")) {
                    finals.put(k, 0.5 + 0.4 * r.nextDouble());
                }
                store.complete("bench", id, finals, 5, 10.0, new TrialRow.Provenance("bench", "layers"));
            }
            double perEpoch = writing / 1e6 / writes;
            long r0 = System.nanoTime();
            new HtmlReport().render(store, "bench");
            return new Result(perEpoch, epoch.size(), trials, (System.nanoTime() - r0) / 1e9);
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp files
            }
        }
    }
}
