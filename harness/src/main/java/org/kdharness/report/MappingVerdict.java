package org.kdharness.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.kdharness.advise.MappingAdvisor;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.MappingCandidates;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * "Which layers to map": each way of choosing a layer mapping, what it achieved and what it
 * cost, in one table.
 *
 * <p>Why: choosing mappings takes experts, and a claim that a method of choosing works is
 * only credible next to controls. Rows: the grid's best mapping chosen on validation (the
 * oracle: every mapping trained), CKA's top-1 (one warm-up instead of a grid), the
 * {@code random} generator's draws (mean over draws, per seed), the {@code reverse}
 * generator, the learned association (a method with a tap loss, e.g. {@code association}: it
 * chooses while it trains, so its cost is its own trials), and response-only distillation (no
 * mapping at all). Each is the best configuration by validation among its trials; test accuracy
 * mean ± std over seeds; paired t-tests on matched seeds against the oracle and against
 * response-only; and the compute the choice needed, in trial-epochs (epochs trained, summed
 * over its trials).
 *
 * @param label     the way of choosing
 * @param group     its chosen configuration (for random: the per-seed mean over draws), or null when the sweep has none
 * @param epochs    trial-epochs the choice cost
 * @param note      what the choice was, or why there is no number
 */
public record MappingVerdict(String label, ConfigGroup group, long epochs, String note) {

    static final String TEST = SweepSummary.REPORT_ON;

    /** The verdict rows for one setting's trials; {@code cka} is the stored CKA matrix per student name. */
    public static List<MappingVerdict> of(SweepSummary s, SweepConfig config, Map<String, double[][]> cka) {
        ModelSpec student = student(s, config);
        Map<String, Set<String>> generatorOf = generators(config, student);
        List<ConfigGroup> layered = s.groups().stream().filter(g -> g.first().mapping() != null).toList();
        List<MappingVerdict> rows = new ArrayList<>();

        // the oracle's grid is what an expert would search: every mapping but those only the controls produced
        List<ConfigGroup> grid = layered.stream().filter(g -> !controlOnly(generatorOf, g)).toList();
        ConfigGroup oracle = bestByValidation(grid);
        rows.add(new MappingVerdict("grid's best mapping (oracle, chosen on validation)", oracle, epochs(grid),
                oracle == null ? "no layer-mapping trials" : oracle.first().mapping() + ", " + grid.stream()
                        .map(g -> g.first().mapping()).distinct().count() + " mappings trained"));

        // CKA's first choice as the sweep's cka-top-k generator ranks it (MappingAdvisor.rank)
        double[][] matrix = cka.get(student.shortName());
        String top = matrix == null ? null : MappingAdvisor.rank(matrix).get(0).getKey().name();
        List<ConfigGroup> ckaGroups = layered.stream().filter(g -> g.first().mapping().equals(top)).toList();
        rows.add(new MappingVerdict("CKA top-1", bestByValidation(ckaGroups), epochs(ckaGroups),
                top == null ? "no CKA measured (a cka-top-k generator measures it)"
                        : ckaGroups.isEmpty() ? top + " was not trained in this setting" : top + ", + the CKA warm-up"));

        rows.add(random(layered, generatorOf));

        List<ConfigGroup> reverse = layered.stream().filter(g -> from(generatorOf, g, "reverse")).toList();
        ConfigGroup rev = bestByValidation(reverse);
        rows.add(new MappingVerdict("reverse", rev, epochs(reverse), rev == null ? "no {generator: reverse} in the sweep" : rev.first().mapping()));

        List<ConfigGroup> learning = s.groups().stream().filter(MappingVerdict::learnsMapping).toList();
        ConfigGroup learned = bestByValidation(learning);
        AssociationMap map = learned == null ? null : AssociationMap.of(learned);
        rows.add(new MappingVerdict("learned association (SemCKD-style)", learned, epochs(learning),
                learned == null ? "no {methods: [association]} in the sweep" : map == null ? "" : "learned " + map.choice()));

        List<ConfigGroup> response = s.groups().stream().filter(g -> g.method().equals("response")).toList();
        rows.add(new MappingVerdict("response only (no mapping)", bestByValidation(response), epochs(response), ""));
        return rows;
    }

    /** The learned association's best configuration by validation in one setting, or null. */
    public static ConfigGroup learned(SweepSummary s) {
        return bestByValidation(s.groups().stream().filter(MappingVerdict::learnsMapping).toList());
    }

    /** Whether the group's method learns its own mapping (it has a tap loss). */
    static boolean learnsMapping(ConfigGroup g) {
        return DistillationRegistry.standard().findMethod(g.method()).map(m -> m.tapLoss() != null).orElse(false);
    }

    /** The setting's student: the one its trials name (a students axis), else the config's. */
    private static ModelSpec student(SweepSummary s, SweepConfig config) {
        String name = s.trials().stream().map(TrialRow::student).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        return name == null ? config.student().model() : MappingCandidates.students(config).stream()
                .filter(m -> m.shortName().equals(name)).findFirst().orElse(config.student().model());
    }

    /** Whether only the controls (random, reverse) produced {@code g}'s mapping. */
    private static boolean controlOnly(Map<String, Set<String>> generatorOf, ConfigGroup g) {
        Set<String> from = generatorOf.getOrDefault(g.first().mapping(), Set.of());
        return !from.isEmpty() && Set.of("random", "reverse").containsAll(from);
    }

    /** Random draws: per draw its best configuration by validation, then per seed the mean test accuracy over draws. */
    private static MappingVerdict random(List<ConfigGroup> layered, Map<String, Set<String>> generatorOf) {
        List<ConfigGroup> drawn = layered.stream().filter(g -> from(generatorOf, g, "random")).toList();
        Map<String, ConfigGroup> perDraw = new LinkedHashMap<>();
        for (ConfigGroup g : drawn) {
            perDraw.merge(g.first().mapping(), g, (a, b) -> SweepSummary.SELECTION.compare(b, a) < 0 ? b : a);
        }
        if (perDraw.isEmpty()) {
            return new MappingVerdict("random (mean over draws)", null, 0, "no {generator: random} in the sweep");
        }
        Map<Long, double[]> bySeed = new TreeMap<>(); // seed -> sum test, sum val, draws
        Map<Long, TrialRow> template = new TreeMap<>();
        for (ConfigGroup g : perDraw.values()) {
            for (TrialRow t : g.trials()) {
                double[] acc = bySeed.computeIfAbsent(t.seed(), k -> new double[3]);
                acc[0] += t.metric(TEST);
                acc[1] += t.metric(SweepSummary.SELECT_ON);
                acc[2]++;
                template.putIfAbsent(t.seed(), t);
            }
        }
        List<TrialRow> means = new ArrayList<>();
        // only seeds every draw finished, so each mean is over the same draws
        bySeed.forEach((seed, acc) -> {
            if (acc[2] == perDraw.size()) {
                TrialRow t = template.get(seed);
                means.add(new TrialRow(t.sweep(), "random-mean-" + seed, t.ordinal(), t.method(), t.temperature(), t.alpha(),
                        t.wFeature(), t.wResponse(), "mean over " + perDraw.size() + " draws", t.distance(), seed, "done", null,
                        t.epochs(), t.seconds(), t.student(), t.learningRate(), t.labelledFraction(), t.optimiser(), t.params(),
                        TrialRow.Provenance.NONE, Map.of(TEST, acc[0] / acc[2], SweepSummary.SELECT_ON, acc[1] / acc[2])));
            }
        });
        // the row is what one random choice achieves on average, so it costs one draw's trial-epochs
        return new MappingVerdict("random (mean over draws)", means.isEmpty() ? null : new ConfigGroup("random-mean", means),
                epochs(drawn) / perDraw.size(), perDraw.size() + " draws (cost: one draw): " + String.join("; ", perDraw.keySet()));
    }

    /** Whether {@code g}'s mapping is one {@code generator} produced. */
    private static boolean from(Map<String, Set<String>> generatorOf, ConfigGroup g, String generator) {
        return generatorOf.getOrDefault(g.first().mapping(), Set.of()).contains(generator);
    }

    /**
     * Which generators produced each candidate mapping ({@code explicit} for written pairs).
     * A random draw usually is also in the one-to-one grid: it belongs to both, and the
     * random row counts it (its trials are trained once and cost once).
     */
    static Map<String, Set<String>> generators(SweepConfig config, ModelSpec student) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (JsonNode entry : config.sweep().mappings()) {
            String label = entry.isObject() && entry.has("generator") ? entry.get("generator").asText() : "explicit";
            if (label.equals("cka-top-k")) {
                continue; // resolved from the measured ranking; the CKA row reads the matrix itself
            }
            for (LayerMapping m : MappingCandidates.expand(entry, student, config.teacher().model())) {
                out.computeIfAbsent(m.name(), k -> new java.util.TreeSet<>()).add(label);
            }
        }
        return out;
    }

    private static ConfigGroup bestByValidation(List<ConfigGroup> groups) {
        return groups.stream().filter(g -> !Double.isNaN(g.mean(SweepSummary.SELECT_ON))).min(SweepSummary.SELECTION).orElse(null);
    }

    private static long epochs(List<ConfigGroup> groups) {
        return groups.stream().flatMap(g -> g.trials().stream()).mapToLong(t -> t.epochs() == null ? 0 : t.epochs()).sum();
    }

    /** Paired t-test p of this row against {@code other} on matched seeds, "–" when either is missing or it is itself. */
    String p(MappingVerdict other) {
        if (group == null || other == null || other.group == null || other == this) {
            return "–";
        }
        return ReportSections.pValue(Statistics.paired(group, other.group, TEST).tTestP());
    }

    /** Test accuracy in percent, mean ± std, or "–". */
    String test() {
        return group == null ? "–" : HtmlReport.meanStd(group.mean(TEST), group.std(TEST));
    }

    /** The rows as the report's template reads them. */
    static List<Map<String, Object>> model(List<MappingVerdict> rows) {
        MappingVerdict oracle = rows.get(0), response = rows.get(rows.size() - 1);
        List<Map<String, Object>> out = new ArrayList<>();
        for (MappingVerdict r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", r.label());
            m.put("test", r.test());
            m.put("seeds", r.group() == null ? "–" : String.valueOf(r.group().seeds()));
            m.put("vsOracle", r.p(oracle));
            m.put("vsResponse", r.p(response));
            m.put("epochs", r.group() == null ? "–" : String.format(Locale.ROOT, "%,d", r.epochs()));
            m.put("note", r.note());
            out.add(m);
        }
        return out;
    }

    /** The rows as a Markdown table, for {@code kd export --group-by choice}. */
    public static String markdown(List<MappingVerdict> rows) {
        StringBuilder t = new StringBuilder("| Mapping chosen by | Test acc. (%) | Seeds | p vs oracle | p vs response only | Trial-epochs | Choice |\n");
        t.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (Map<String, Object> m : model(rows)) {
            t.append("| ").append(m.get("label")).append(" | ").append(m.get("test")).append(" | ").append(m.get("seeds")).append(" | ")
                    .append(m.get("vsOracle")).append(" | ").append(m.get("vsResponse")).append(" | ").append(m.get("epochs"))
                    .append(" | ").append(String.valueOf(m.get("note")).replace("|", "\\|")).append(" |\n");
        }
        return t.append("\nEach row: its best configuration by validation accuracy; test accuracy mean ± sample std over seeds;")
                .append(" paired t-tests on matched seeds; trial-epochs: epochs trained over the trials the choice needed.\n").toString();
    }

    /** The rows as a booktabs table. */
    public static String latex(List<MappingVerdict> rows, String sweep) {
        StringBuilder t = new StringBuilder("% kd-harness: sweep ").append(sweep).append(", needs \\usepackage{booktabs}\n");
        t.append("\\begin{table}[t]\n\\centering\n\\footnotesize\n\\setlength{\\tabcolsep}{3pt}\n\\begin{tabular}{p{0.3\\linewidth}rrrrr}\n\\toprule\n");
        // short headings: the caption says what each column is
        t.append("Chosen by & Test (\\%) & Seeds & $p_\\mathrm{oracle}$ & $p_\\mathrm{resp.}$ & Epochs \\\\\n\\midrule\n");
        for (Map<String, Object> m : model(rows)) {
            t.append(TableExport.escape(String.valueOf(m.get("label"))));
            for (String k : List.of("test", "seeds", "vsOracle", "vsResponse", "epochs")) {
                t.append(" & ").append(TableExport.escape(String.valueOf(m.get(k))).replace("–", "--"));
            }
            t.append(" \\\\\n");
        }
        t.append("\\bottomrule\n\\end{tabular}\n\\caption{Sweep \\texttt{").append(TableExport.escape(sweep))
                .append("}: which layers to map. Each row is its best configuration by validation accuracy; test accuracy mean ")
                .append("$\\pm$ sample standard deviation over seeds; $p_\\mathrm{oracle}$, $p_\\mathrm{resp.}$: paired $t$-tests on ")
                .append("matched seeds against the grid's best mapping and against response-only distillation; epochs: the ")
                .append("trial-epochs the choice needed.}\n\\label{tab:kd-").append(TableExport.escape(sweep).replace("\\_", "-"))
                .append("-choice}\n\\end{table}\n");
        return t.toString();
    }
}
