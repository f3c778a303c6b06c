package org.kdharness.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The report's "where it works" figure: per method, test accuracy over temperature x alpha and over the loss weights.
 *
 * <p>Why its own class: its panels are one figure, drawn on one colour scale with one legend (each panel on its own
 * scale showed one colour for different values), so every grid is computed before any is drawn.
 */
final class Heatmaps {

    private Heatmaps() {
    }

    /** One heatmap's grid before it is drawn: the panels of the figure are drawn on one colour scale. */
    private record Grid(String title, String xName, List<String> xs, String yName, List<String> ys, double[][] values) {
    }

    /**
     * Test accuracy (%) of the best-by-validation configuration in each cell of two axes, per method: every panel on
     * the colour scale of all their cells, the legend on the last.
     */
    static List<Map<String, Object>> of(SweepSummary s) {
        List<Grid> grids = new ArrayList<>();
        for (String method : s.variants()) {
            List<ConfigGroup> gs = s.groups().stream().filter(g -> g.variant().equals(method)).toList();
            if (gs.isEmpty() || gs.get(0).first().temperature() == null || gs.get(0).first().alpha() == null) {
                continue;
            }
            addHeatmap(grids, method + ": test accuracy (%) over temperature × α", gs, "α", g -> g.first().alpha(),
                    "temperature T", g -> g.first().temperature());
            if (gs.get(0).first().wFeature() != null) {
                addHeatmap(grids, method + ": test accuracy (%) over w1 × w2", gs, "w2 (response)", g -> g.first().wResponse(),
                        "w1 (" + gs.get(0).method() + ")", g -> g.first().wFeature());
            }
        }
        java.util.DoubleSummaryStatistics cells = grids.stream().flatMap(g -> java.util.Arrays.stream(g.values()))
                .flatMapToDouble(java.util.Arrays::stream).filter(v -> !Double.isNaN(v)).summaryStatistics();
        double lo = cells.getCount() == 0 ? 0 : cells.getMin(), hi = cells.getCount() == 0 ? 1 : cells.getMax();
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < grids.size(); i++) {
            Grid g = grids.get(i);
            out.add(Map.of("title", g.title(), "svg", Charts.heatmap(g.title(), g.xName(), g.xs(), g.yName(), g.ys(), g.values(),
                    "test acc %", "%.2f", new double[]{lo, hi}, i == grids.size() - 1)));
        }
        return out;
    }

    private static void addHeatmap(List<Grid> out, String title, List<ConfigGroup> gs, String xName,
                                   Function<ConfigGroup, Double> x, String yName, Function<ConfigGroup, Double> y) {
        List<Double> xs = new ArrayList<>(new TreeSet<>(gs.stream().map(x).toList()));
        List<Double> ys = new ArrayList<>(new TreeSet<>(gs.stream().map(y).toList()));
        if (xs.size() * ys.size() < 2) {
            return;
        }
        double[][] v = new double[ys.size()][xs.size()];
        ConfigGroup[][] chosen = new ConfigGroup[ys.size()][xs.size()];
        for (double[] row : v) {
            java.util.Arrays.fill(row, Double.NaN);
        }
        for (ConfigGroup g : gs) {
            int i = ys.indexOf(y.apply(g)), j = xs.indexOf(x.apply(g));
            if (!Double.isNaN(g.mean(SweepSummary.SELECT_ON)) && (chosen[i][j] == null || SweepSummary.SELECTION.compare(g, chosen[i][j]) < 0)) {
                chosen[i][j] = g;
                v[i][j] = 100 * g.mean(SweepSummary.REPORT_ON);
            }
        }
        out.add(new Grid(title, xName, xs.stream().map(CsvExport::num).toList(), yName, ys.stream().map(CsvExport::num).toList(), v));
    }
}
