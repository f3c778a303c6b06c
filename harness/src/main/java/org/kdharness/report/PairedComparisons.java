package org.kdharness.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's paired comparisons: every two methods' best configurations on matched seeds, and what those comparisons
 * rest on, in words.
 *
 * <p>Why apart from {@link ReportSections}: how much a few seeds can show (the exact test's floor, an unstable d_z) is
 * its own concern, and the note under the table must read the same rows the table shows.
 */
final class PairedComparisons {

    private PairedComparisons() {
    }

    /** Paired tests between every two methods' best configurations, on matched seeds. */
    static List<Map<String, Object>> rows(SweepSummary s) {
        List<String> present = s.variants();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < present.size(); i++) {
            for (int j = 0; j < i; j++) {
                ConfigGroup a = s.bestOf(present.get(i)).orElseThrow(), b = s.bestOf(present.get(j)).orElseThrow();
                Statistics.Paired p = Statistics.paired(a, b, SweepSummary.REPORT_ON);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("a", present.get(i));
                r.put("b", present.get(j));
                r.put("pairs", p.pairs());
                r.put("diff", Double.isNaN(p.meanDiff()) ? "–" : String.format(Locale.ROOT, "%+.2f", 100 * p.meanDiff()));
                r.put("t", ReportSections.pValue(p.tTestP()));
                r.put("wilcoxon", ReportSections.pValue(p.wilcoxonP()));
                r.put("wilcoxonFloor", ReportSections.pValue(p.smallestWilcoxonP()));
                r.put("dz", Double.isNaN(p.effectDz()) ? "–" : !p.effectStable() ? "omitted (" + p.pairs() + " pairs)"
                        : String.format(Locale.ROOT, "%.2f", p.effectDz()));
                rows.add(r);
            }
        }
        return rows;
    }

    /**
     * What the comparisons {@code rows} rest on, in words under their table: the fewest and most matched seeds, and,
     * where those are few, what the exact test cannot show and why d_z is missing; empty without comparisons.
     */
    static String note(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int fewest = rows.stream().mapToInt(r -> (Integer) r.get("pairs")).min().orElseThrow();
        int most = rows.stream().mapToInt(r -> (Integer) r.get("pairs")).max().orElseThrow();
        String seeds = fewest == most ? fewest + " matched seed" + (fewest == 1 ? "" : "s") : fewest + " to " + most + " matched seeds";
        StringBuilder note = new StringBuilder("Each comparison rests on " + seeds + ".");
        int enough = Statistics.pairsToReach(0.05);
        if (fewest < 2) {
            note.append(" With fewer than 2 pairs no paired test is possible.");
        } else if (fewest < enough) {
            note.append(String.format(Locale.ROOT, " With %d pairs the exact Wilcoxon test cannot give p below %s however large the"
                    + " difference (the column 'smallest possible p'); %d pairs can reach %s.", fewest,
                    ReportSections.pValue(Statistics.smallestWilcoxonP(fewest)), enough,
                    ReportSections.pValue(Statistics.smallestWilcoxonP(enough))));
        }
        if (fewest < Statistics.STABLE_EFFECT_PAIRS) {
            note.append(" d_z is omitted below ").append(Statistics.STABLE_EFFECT_PAIRS)
                    .append(" pairs: the spread of so few differences is a guess. More seeds make these answers firmer.");
        }
        return note.toString();
    }
}
