package org.kdharness.report;

import org.kdharness.advise.MappingAdvisor;
import org.kdharness.config.LayerMapping;
import org.kdharness.distill.LayerDistance;
import org.kdharness.distill.SoftTargets;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's sections as plain template data: headline with intervals, paired
 * comparisons, heatmaps, mapping leaderboard, learning curves, per-class accuracy and the
 * teacher's softened outputs.
 *
 * <p>Why precomputed strings: numbers are formatted once, here, so the template only lays
 * them out and tests can compare the page with the store.
 */
final class ReportSections {

    static final double[] SOFTEN_AT = {1, 2, 4, 8};

    private ReportSections() {
    }

    static List<Map<String, Object>> headline(SweepSummary s) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String method : s.variants()) {
            s.bestOf(method).ifPresent(g -> {
                Statistics.Summary test = Statistics.summary(g, SweepSummary.REPORT_ON);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("method", method);
                r.put("configs", s.ranked(method).size());
                r.put("config", HtmlReport.describe(g.first()));
                List<ConfigGroup> tied = s.tiedWithBest(method);
                r.put("tie", tied.isEmpty() ? "" : "tied on validation accuracy with " + String.join("; ", tied.stream()
                        .map(t -> HtmlReport.describe(t.first())).toList()) + "; chosen by " + SweepSummary.TIE_RULE);
                r.put("seeds", g.seeds());
                r.put("test", HtmlReport.meanStd(test.mean(), test.std()));
                r.put("ci", interval(test.ciLow(), test.ciHigh()));
                r.put("val", HtmlReport.meanStd(g.mean("val_accuracy"), g.std("val_accuracy")));
                r.put("agreement", HtmlReport.meanStd(g.mean("test_teacher_agreement"), g.std("test_teacher_agreement")));
                r.put("f1", HtmlReport.meanStd(g.mean("test_macro_f1"), g.std("test_macro_f1")));
                r.put("ece", HtmlReport.fixed(g.mean("test_ece")));
                r.put("kl", HtmlReport.fixed(g.mean("test_kl_to_teacher")));
                r.put("params", String.format(Locale.ROOT, "%,d", (long) g.mean("student_params")));
                r.put("compression", String.format(Locale.ROOT, "%.1f×", g.mean("compression_ratio")));
                rows.add(r);
            });
        }
        return rows;
    }

    /**
     * A 95% t-interval of an accuracy in percent, clipped to the possible range [0, 100] and
     * then marked with ‡ (the report's note explains it): with two seeds the t-interval is
     * wide and can pass 100 %, which is not an accuracy anyone can have.
     */
    static String interval(double low, double high) {
        if (Double.isNaN(low)) {
            return "–";
        }
        boolean clipped = low < 0 || high > 1;
        return "[" + HtmlReport.pct(Math.max(0, low)) + ", " + HtmlReport.pct(Math.min(1, high)) + "]" + (clipped ? "‡" : "");
    }

    static String pValue(double p) {
        return Double.isNaN(p) ? "–" : p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    /** Every candidate mapping, ranked by the test accuracy of its best-by-validation configuration. */
    static List<Map<String, Object>> leaderboard(SweepSummary s) {
        List<Map<String, Object>> rows = new ArrayList<>();
        int rank = 1;
        for (TableExport.Row r : TableExport.rows(s, TableExport.GroupBy.MAPPING)) {
            if (r.group().first().mapping() == null) {
                continue; // the paper table's baseline row: not a mapping to rank
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rank", rank++);
            m.put("mapping", r.qualifiedLabel());
            m.put("config", HtmlReport.describe(r.group().first()));
            m.put("seeds", r.group().seeds());
            m.put("test", HtmlReport.meanStd(r.group().mean("test_accuracy"), r.group().std("test_accuracy")));
            m.put("val", HtmlReport.meanStd(r.group().mean("val_accuracy"), r.group().std("val_accuracy")));
            rows.add(m);
        }
        return rows;
    }

    /** Validation accuracy per epoch of each method's best configuration, and its loss terms. */
    static List<Map<String, Object>> curves(MetricsStore store, SweepSummary s) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, double[]> val = new LinkedHashMap<>();
        Map<String, double[]> seconds = new LinkedHashMap<>();
        for (String method : s.variants()) {
            s.bestOf(method).ifPresent(g -> {
                Map<String, double[]> terms = meanCurves(store, g);
                if (terms.containsKey("val_accuracy")) {
                    // percent, as every table
                    val.put(method, java.util.Arrays.stream(terms.get("val_accuracy")).map(v -> 100 * v).toArray());
                }
                if (terms.containsKey("step_seconds")) {
                    seconds.put(method, terms.get("step_seconds"));
                }
                terms.remove("val_accuracy");
                terms.remove("epoch");
                // timing has an axis of its own (below), not the loss terms'
                terms.keySet().removeIf(k -> k.endsWith("_seconds") || k.equals("train_soft_ce"));
                if (!terms.isEmpty()) {
                    out.add(Map.of("title", method + ": loss terms", "svg",
                            Charts.lines(method + ": training loss terms (best configuration)", "epoch", "value", terms)));
                }
            });
        }
        if (!val.isEmpty()) {
            out.add(0, Map.of("title", "validation accuracy", "svg", Charts.lines("Validation accuracy per epoch (best configuration of each method)",
                    "epoch", "validation accuracy (%)", val)));
        }
        if (!seconds.isEmpty()) {
            out.add(Map.of("title", "training seconds", "svg", Charts.lines("Seconds per epoch in training steps (best configuration of each method)",
                    "epoch", "seconds", seconds)));
        }
        return out;
    }

    private static Map<String, double[]> meanCurves(MetricsStore store, ConfigGroup g) {
        Map<String, List<double[]>> perSeed = new LinkedHashMap<>();
        int epochs = 0;
        for (TrialRow t : g.trials()) {
            Map<Integer, Map<String, Double>> e = store.epochs(t.sweep(), t.trialId());
            epochs = Math.max(epochs, e.size());
            for (Map.Entry<Integer, Map<String, Double>> row : e.entrySet()) {
                for (Map.Entry<String, Double> m : row.getValue().entrySet()) {
                    perSeed.computeIfAbsent(m.getKey(), k -> new ArrayList<>()).add(new double[]{row.getKey(), m.getValue() == null ? Double.NaN : m.getValue()});
                }
            }
        }
        Map<String, double[]> mean = new LinkedHashMap<>();
        for (Map.Entry<String, List<double[]>> e : perSeed.entrySet()) {
            double[] sum = new double[epochs], n = new double[epochs];
            for (double[] p : e.getValue()) {
                if (!Double.isNaN(p[1])) {
                    sum[(int) p[0] - 1] += p[1];
                    n[(int) p[0] - 1]++;
                }
            }
            double[] m = new double[epochs];
            for (int i = 0; i < epochs; i++) {
                m[i] = n[i] == 0 ? Double.NaN : sum[i] / n[i];
            }
            mean.put(e.getKey(), m);
        }
        return mean;
    }

    /** Per-class test accuracy (%) of each method's best configuration, mean over seeds; classes by {@code names}. */
    static Map<String, Object> perClass(SweepSummary s, java.util.function.IntFunction<String> names) {
        List<String> methods = s.variants();
        List<List<String>> rows = new ArrayList<>();
        for (int c = 0; ; c++) {
            String metric = "test_class_" + c + "_accuracy";
            int cls = c;
            if (methods.isEmpty() || Double.isNaN(s.bestOf(methods.get(0)).orElseThrow().mean(metric))) {
                break;
            }
            List<String> row = new ArrayList<>(List.of(names.apply(cls)));
            methods.forEach(m -> row.add(HtmlReport.pct(s.bestOf(m).orElseThrow().mean(metric))));
            rows.add(row);
        }
        return Map.of("methods", methods, "rows", rows);
    }

    /** The teacher's output on a few test examples at T = 1, 2, 4, 8. */
    static List<Map<String, Object>> softened(MetricsStore store, String teacherKey, java.util.function.IntFunction<String> names) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (teacherKey == null) {
            return out;
        }
        for (Map.Entry<Integer, double[]> e : store.teacherSamples(teacherKey).entrySet()) {
            double[] logits = java.util.Arrays.copyOfRange(e.getValue(), 1, e.getValue().length);
            List<String> classes = new ArrayList<>();
            for (int c = 0; c < logits.length; c++) {
                classes.add(names.apply(c));
            }
            Map<String, double[]> series = new LinkedHashMap<>();
            for (double t : SOFTEN_AT) {
                series.put("T=" + CsvExport.num(t), SoftTargets.softmax(logits, t));
            }
            int label = (int) e.getValue()[0];
            String name = names.apply(label);
            String title = "Test example " + e.getKey() + " (label " + label + (name.equals(Integer.toString(label)) ? "" : ", " + name)
                    + "): softmax(z_t / T)";
            out.add(Map.of("title", title, "svg", Charts.bars(title, "class", "probability", classes, series)));
        }
        return out;
    }

    /**
     * CKA heatmaps and how well the CKA ranking predicted the sweep's measured ranking of
     * mappings: Spearman's rho between a mapping's CKA score and the test accuracy of its
     * best-by-validation feature configuration.
     */
    static List<Map<String, Object>> cka(MetricsStore store, SweepSummary s, String sweep, String defaultStudent) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, double[][]> e : store.cka(sweep).entrySet()) {
            double[][] m = e.getValue();
            List<String> tl = new ArrayList<>(), sl = new ArrayList<>();
            for (int j = 1; j <= m[0].length; j++) {
                tl.add("t" + j);
            }
            for (int i = 1; i <= m.length; i++) {
                sl.add("s" + i);
            }
            String title = "Linear CKA, student " + e.getKey() + " vs teacher";
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("title", title);
            r.put("svg", Charts.heatmap(title, "teacher layer", tl, "student layer", sl, m, "CKA", "%.2f"));
            Map<String, double[]> bestPerMapping = new LinkedHashMap<>();
            for (ConfigGroup g : s.groups()) {
                if (g.first().mapping() == null || DistillationRegistry.standard().findMethod(g.method())
                        .map(method -> method.family() != LayerDistance.Family.HINT).orElse(true)) {
                    continue;
                }
                String student = g.first().student() == null ? defaultStudent : g.first().student();
                if (!e.getKey().equals(student)) {
                    continue;
                }
                // per mapping: its best-by-validation configuration
                double[] point = {MappingAdvisor.score(LayerMapping.parse(g.first().mapping()), m), g.mean(SweepSummary.REPORT_ON), g.mean(SweepSummary.SELECT_ON)};
                bestPerMapping.merge(g.first().mapping(), point, (a, b) -> b[2] > a[2] ? b : a);
            }
            double[] x = bestPerMapping.values().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = bestPerMapping.values().stream().mapToDouble(p -> p[1]).toArray();
            r.put("mappings", x.length);
            if (x.length < 3) {
                r.put("spearman", "– (needs 3 or more mappings)");
            } else {
                double rho = new org.apache.commons.math3.stat.correlation.SpearmansCorrelation().correlation(x, y);
                r.put("spearman", String.format(Locale.ROOT, "%.3f (p = %s, n = %d)", rho, pValue(Statistics.spearmanP(x, y)), x.length));
            }
            List<Map<String, Object>> scores = new ArrayList<>();
            bestPerMapping.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).forEach(en -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("mapping", en.getKey());
                row.put("cka", String.format(Locale.ROOT, "%.3f", en.getValue()[0]));
                row.put("test", HtmlReport.pct(en.getValue()[1]));
                scores.add(row);
            });
            r.put("scores", scores);
            out.add(r);
        }
        return out;
    }
}
