package org.kdharness.report;

import org.kdharness.store.RungLedger;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The report's account of asynchronous successive halving: per rung, how many configurations
 * reached it, continued and were pruned; the trial-epochs spent against what the whole grid
 * would have cost; and every pruned configuration with its rung and metric.
 *
 * <p>Why: a pruned configuration is absent from every comparison (they use fully trained
 * configurations only), so the report must say what was left out, where, and what that saved.
 */
public final class AshaSection {

    private AshaSection() {
    }

    /**
     * The section's model, or an empty map when the sweep took no rung decision.
     *
     * @param rows   the sweep's stored decisions
     * @param trials the sweep's trials
     * @param epochs the epochs a fully trained trial runs
     */
    public static Map<String, Object> model(List<RungLedger.Row> rows, List<TrialRow> trials, int epochs) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (rows.isEmpty()) {
            return m;
        }
        Map<Integer, int[]> perRung = new TreeMap<>(); // rung -> {epoch, reached, promoted}
        Map<String, RungLedger.Row> last = new LinkedHashMap<>(); // configuration -> its last decision
        for (RungLedger.Row r : rows) {
            int[] c = perRung.computeIfAbsent(r.decision().rung(), k -> new int[3]);
            c[0] = r.decision().epoch();
            c[1]++;
            c[2] += r.decision().promoted() ? 1 : 0;
            last.merge(r.configKey(), r, (a, b) -> b.decision().rung() > a.decision().rung() ? b : a);
        }
        List<Map<String, Object>> rungs = new ArrayList<>();
        perRung.forEach((rung, c) -> rungs.add(Map.of("rung", rung, "epoch", c[0], "reached", c[1], "promoted", c[2],
                "pruned", c[1] - c[2])));
        m.put("rungs", rungs);
        long used = trials.stream().mapToLong(t -> t.epochs() == null ? 0 : t.epochs()).sum();
        long full = (long) trials.size() * epochs;
        m.put("used", String.format(Locale.ROOT, "%,d", used));
        m.put("full", String.format(Locale.ROOT, "%,d", full));
        m.put("share", String.format(Locale.ROOT, "%.0f", full == 0 ? 0 : 100.0 * used / full));
        m.put("saved", String.format(Locale.ROOT, "%,d", full - used));
        Map<String, TrialRow> byId = trials.stream().collect(Collectors.toMap(TrialRow::trialId, Function.identity()));
        List<Map<String, Object>> pruned = new ArrayList<>();
        last.values().stream().filter(r -> !r.decision().promoted() && byId.containsKey(r.trialId()))
                .sorted(Comparator.comparingInt((RungLedger.Row r) -> r.decision().rung())
                        .thenComparing(r -> r.decision().metric() == null ? Double.NEGATIVE_INFINITY : -r.decision().metric()))
                .forEach(r -> {
                    TrialRow t = byId.get(r.trialId());
                    pruned.add(Map.of("method", t.variant(), "settings", HtmlReport.describe(t)
                                    + (t.context().isEmpty() ? "" : "; " + t.context()), "rung", r.decision().rung(),
                            "epoch", r.decision().epoch(), "metric", r.decision().metric() == null ? "–" : HtmlReport.pct(r.decision().metric())));
                });
        m.put("pruned", pruned);
        m.put("prunedCount", pruned.size());
        return m;
    }
}
