package org.kdharness.report;

import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import org.kdharness.store.Credentials;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@code reports/<sweep>/index.html}: one self-contained file (no scripts, no
 * CDN) comparing baseline, response and feature distillation, with every trial and the
 * run's provenance.
 *
 * <p>Why numbers are formatted here, not in the template: tests read the rendered table
 * and compare it with the store, so formatting has one definition.
 */
public final class HtmlReport {

    private final Configuration fm;

    public HtmlReport() {
        fm = new Configuration(Configuration.VERSION_2_3_32);
        fm.setClassForTemplateLoading(HtmlReport.class, "/templates");
        fm.setDefaultEncoding("UTF-8");
        fm.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        fm.setLogTemplateExceptions(false);
    }

    /** Writes the report and returns its path. */
    /** Temp files are created owner-only; the published page is meant to be read (shared or served folders). */
    private static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }

    public Path write(MetricsStore store, String sweep, Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("index.html");
            // writers take turns (a lock file between processes, the class's monitor between threads of one
            // process), so the last page published is the last one rendered; each writes a temp file of its
            // own and publishes it by one atomic rename, so a reader never sees half a page and a failed
            // write leaves nothing behind
            synchronized (HtmlReport.class) {
                try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve(".report.lock"),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                     java.nio.channels.FileLock ignored = channel.lock()) {
                    Path tmp = Files.createTempFile(dir, "index.html.", ".tmp");
                    try {
                        readableByAll(tmp);
                        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                            w.write(render(store, sweep));
                        }
                        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The report's HTML. */
    public String render(MetricsStore store, String sweep) {
        List<TrialRow> trials = store.trials(sweep);
        SweepSummary summary = SweepSummary.of(trials);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("sweep", sweep);
        model.put("generated", Instant.now().toString());
        model.put("total", trials.size());
        model.put("done", summary.count("done"));
        model.put("failed", summary.count("failed"));
        model.put("pruned", summary.count("pruned"));
        model.put("pending", summary.count("pending") + summary.count("running"));
        model.put("stale", store.staleTrials(sweep));
        List<Map<String, Object>> runs = store.runs(sweep);
        model.put("runs", runs);
        String teacherKey = teacherKey(runs);
        Map<String, Object> teacher = teacherKey == null ? null : store.teacher(teacherKey).orElse(null);
        model.put("teacherAccuracy", teacher == null ? "n/a" : pct(((Number) teacher.get("test_accuracy")).doubleValue()));
        model.put("teacherParams", teacher == null ? "n/a" : String.format(Locale.ROOT, "%,d", ((Number) teacher.get("params")).longValue()));
        List<Map<String, Object>> contexts = new java.util.ArrayList<>();
        summary.byContext().forEach((label, part) -> {
            List<Map<String, Object>> comparisons = PairedComparisons.rows(part);
            contexts.add(Map.of("label", label.isEmpty() ? "config defaults" : label, "headline", ReportSections.headline(part),
                    "comparisons", comparisons, "comparisonsNote", PairedComparisons.note(comparisons)));
        });
        model.put("contexts", contexts);
        model.put("teacherWarning", teacherWarning(teacher, summary.primary()));
        model.put("answer", answer(summary, teacher));
        model.put("compared", summary.variants().isEmpty() ? "Methods compared" : String.join(" vs ", summary.variants()));
        SweepSummary primary = summary.primary();
        // the setting the per-setting sections show: named whenever the sweep has more than one
        String primaryContext = summary.primaryContext();
        model.put("primaryLabel", contexts.size() > 1 ? " (" + (primaryContext.isEmpty() ? "config defaults" : primaryContext) + ")" : "");
        model.put("heatmaps", Heatmaps.of(primary));
        model.put("leaderboard", ReportSections.leaderboard(primary));
        model.put("curves", ReportSections.curves(store, primary));
        java.util.function.IntFunction<String> names = classNames(store, sweep);
        model.put("perClass", ReportSections.perClass(primary, names));
        // CKA against the measured ranking within one setting (the one the other sections show)
        model.put("cka", ReportSections.cka(store, primary, sweep, defaultStudent(store, sweep)));
        model.put("verdict", verdict(store, sweep, primary));
        model.put("asha", AshaSection.model(store.rungs().rows(sweep), trials, studentEpochs(store, sweep, trials)));
        model.put("association", association(primary));
        model.put("softened", ReportSections.softened(store, teacherKey, names));
        model.put("trainingHours", String.format(Locale.ROOT, "%.2f",
                trials.stream().filter(t -> t.seconds() != null).mapToDouble(TrialRow::seconds).sum() / 3600));
        model.put("trials", trials.stream().map(HtmlReport::trialRow).toList());
        model.put("failures", trials.stream().filter(t -> "failed".equals(t.status()))
                .map(t -> Map.of("id", t.trialId(), "method", t.variant(), "seed", t.seed(),
                        "settings", describe(t) + (t.context().isEmpty() ? "" : "; " + t.context()),
                        "reason", Credentials.mask(String.valueOf(t.reason())))).toList());
        model.put("config", Credentials.mask(store.sweepYaml(sweep).orElse("")));
        try {
            Template t = fm.getTemplate("report.ftlh");
            StringWriter w = new StringWriter();
            t.process(model, w);
            return w.toString();
        } catch (IOException | TemplateException e) {
            throw new IllegalStateException("report template failed: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> trialRow(TrialRow t) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", t.trialId());
        r.put("method", t.method());
        r.put("temperature", CsvExport.num(t.temperature()));
        r.put("alpha", CsvExport.num(t.alpha()));
        r.put("weights", t.wFeature() == null ? "" : CsvExport.num(t.wFeature()) + " / " + CsvExport.num(t.wResponse()));
        r.put("mapping", t.mapping() == null ? "" : t.mapping() + " (" + t.distance() + ")");
        r.put("params", t.params() == null ? "" : t.params());
        // student, learning rate, labelled fraction, optimiser where an axis sets them: rows that differ only there
        r.put("setting", t.context().isEmpty() ? "config defaults" : t.context());
        r.put("seed", t.seed());
        r.put("status", t.status());
        r.put("test", pct(t.metric("test_accuracy")));
        r.put("val", pct(t.metric("val_accuracy")));
        r.put("agreement", pct(t.metric("test_teacher_agreement")));
        r.put("seconds", t.seconds() == null ? "" : String.format(Locale.ROOT, "%.1f", t.seconds()));
        return r;
    }

    /**
     * A warning when the teacher is less accurate on test than the baseline student's best
     * configuration: distilling from it is then not expected to help, and a sweep that
     * "shows" KD losing may only show a weak teacher. Empty otherwise.
     */
    static String teacherWarning(Map<String, Object> teacher, SweepSummary s) {
        if (teacher == null || teacher.get("test_accuracy") == null) {
            return "";
        }
        double acc = ((Number) teacher.get("test_accuracy")).doubleValue();
        return s.bestOf("baseline").map(g -> g.mean(SweepSummary.REPORT_ON))
                .filter(b -> b > acc)
                .map(b -> "Warning: the teacher (" + pct(acc) + " %) is less accurate than the baseline student ("
                        + pct(b) + " %): distilling from it is not expected to help.")
                .orElse("");
    }

    /**
     * The verdict paragraph ({@link Verdict}) on the setting the report's sections show, named when the sweep has
     * several; "" before two methods have finished a configuration.
     */
    static String answer(SweepSummary summary, Map<String, Object> teacher) {
        double teacherAccuracy = teacher == null || teacher.get("test_accuracy") == null ? Double.NaN
                : ((Number) teacher.get("test_accuracy")).doubleValue();
        String text = Verdict.of(summary.primary(), teacherAccuracy);
        if (text.isEmpty() || summary.byContext().size() < 2) {
            return text;
        }
        String context = summary.primaryContext();
        return "In the setting " + (context.isEmpty() ? "of the config's defaults" : context) + ": " + text;
    }

    /** {@link #answer} for {@code sweep} as stored: what {@code kd report --summary} prints. */
    public static String answer(MetricsStore store, String sweep) {
        String key = teacherKey(store.runs(sweep));
        return answer(SweepSummary.of(store.trials(sweep)), key == null ? null : store.teacher(key).orElse(null));
    }

    /** The teacher the sweep's first run distilled from (its key), or null before any run. */
    public static String teacherKey(List<Map<String, Object>> runs) {
        return runs.isEmpty() ? null : String.valueOf(runs.get(0).get("teacher_key"));
    }

    /** "Which layers to map", when the setting trained any layer mapping; empty otherwise. */
    private static List<Map<String, Object>> verdict(MetricsStore store, String sweep, SweepSummary primary) {
        if (primary.groups().stream().noneMatch(g -> g.first().mapping() != null || MappingVerdict.learnsMapping(g))) {
            return List.of();
        }
        try {
            var config = store.sweepYaml(sweep).map(y -> new org.kdharness.sweep.ConfigLoader().parseStored(y, sweep).config()).orElse(null);
            return config == null ? List.of() : MappingVerdict.model(MappingVerdict.of(primary, config, store.cka(sweep)));
        } catch (org.kdharness.config.ConfigException e) {
            // a stored config this version cannot read: the other sections still render
            return List.of();
        }
    }

    /** The learned association's heatmap (its best configuration, mean over seeds), or "" without one. */
    private static String association(SweepSummary primary) {
        ConfigGroup g = MappingVerdict.learned(primary);
        AssociationMap map = g == null ? null : AssociationMap.of(g);
        return map == null ? "" : map.svg("Learned association (" + g.variant() + ", mean attention on validation over "
                + map.seeds() + " seeds)");
    }

    /** Epochs of a fully trained trial: the config's, else the most any trial ran. */
    private static int studentEpochs(MetricsStore store, String sweep, List<TrialRow> trials) {
        try {
            return store.sweepYaml(sweep).map(y -> new org.kdharness.sweep.ConfigLoader().parseStored(y, sweep).config().student().training()
                    .epochs()).orElseThrow();
        } catch (RuntimeException e) {
            return trials.stream().mapToInt(t -> t.epochs() == null ? 0 : t.epochs()).max().orElse(0);
        }
    }

    /**
     * Class {@code c}'s name where the stored config names its dataset family and that family names its classes
     * ({@link org.kdharness.data.ClassNames}), else its number. Only a family written in the config counts: the default
     * ({@code fashion-mnist}) would name an MNIST or KMNIST set read from another path with Fashion-MNIST's classes.
     */
    private static java.util.function.IntFunction<String> classNames(MetricsStore store, String sweep) {
        String family;
        try {
            family = store.sweepYaml(sweep).map(y -> {
                try {
                    return new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                            .readTree(y).path("dataset").path("name").asText("");
                } catch (java.io.IOException e) {
                    return "";
                }
            }).orElse("");
        } catch (RuntimeException e) {
            family = "";
        }
        String known = family;
        return c -> org.kdharness.data.ClassNames.of(known, c);
    }

    /** Short name of the config's student (trials without a student override use it). */
    private static String defaultStudent(MetricsStore store, String sweep) {
        try {
            return store.sweepYaml(sweep).map(y -> new org.kdharness.sweep.ConfigLoader().parseStored(y, sweep).config().student().model().shortName())
                    .orElse("");
        } catch (RuntimeException e) {
            return "";
        }
    }

    public static String describe(TrialRow t) {
        StringBuilder sb = new StringBuilder();
        if (t.temperature() != null) {
            sb.append("T=").append(CsvExport.num(t.temperature()));
        }
        if (t.alpha() != null) {
            sb.append(sb.length() == 0 ? "" : ", ").append("α=").append(CsvExport.num(t.alpha()));
        }
        if (t.mapping() != null) {
            sb.append(", ").append(t.mapping()).append(" ").append(t.distance());
        }
        if (t.wFeature() != null) {
            sb.append(sb.length() == 0 ? "" : ", ").append("w1/w2=").append(CsvExport.num(t.wFeature())).append("/")
                    .append(CsvExport.num(t.wResponse()));
        }
        if (t.params() != null) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.params());
        }
        return sb.length() == 0 ? "hard labels only" : sb.toString();
    }

    /** Percent with two decimals, e.g. {@code 85.12}. */
    static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    static String meanStd(double mean, double std) {
        if (Double.isNaN(mean)) {
            return "–";
        }
        return Double.isNaN(std) ? pct(mean) : pct(mean) + " ± " + pct(std);
    }

    static String fixed(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.4f", v);
    }
}
