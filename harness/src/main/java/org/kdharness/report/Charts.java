package org.kdharness.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Real plots (axes, labels, legends) rendered by JFreeChart to inline SVG via JFreeSVG.
 *
 * <p>Why SVG inline: the report stays one self-contained file that opens offline and
 * scales for print; why a library: axes, ticks and legends drawn by hand are where charts
 * go wrong.
 */
public final class Charts {

    static final int WIDTH = 560;
    static final int HEIGHT = 360;

    private Charts() {
    }

    /**
     * A heatmap of {@code values[y][x]} with each cell's value written in it (NaN cells empty).
     *
     * @param valueFormat e.g. {@code "%.2f"}
     */
    public static String heatmap(String title, String xName, List<String> xLabels, String yName, List<String> yLabels,
                                 double[][] values, String valueName, String valueFormat) {
        return heatmap(title, xName, xLabels, yName, yLabels, values, valueName, valueFormat, null, true);
    }

    /**
     * {@link #heatmap(String, String, List, String, List, double[][], String, String)} on the colour scale {@code range}
     * ({@code {low, high}}; null: the values' own), with or without its legend: the panels of one figure share one scale,
     * so one colour means one value across them, and one legend says it.
     */
    public static String heatmap(String title, String xName, List<String> xLabels, String yName, List<String> yLabels,
                                 double[][] values, String valueName, String valueFormat, double[] range, boolean legendShown) {
        DefaultXYZDataset data = new DefaultXYZDataset();
        int n = xLabels.size() * yLabels.size();
        double[][] series = new double[3][n];
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int k = 0;
        for (int y = 0; y < yLabels.size(); y++) {
            for (int x = 0; x < xLabels.size(); x++) {
                series[0][k] = x;
                series[1][k] = y;
                series[2][k] = values[y][x];
                if (!Double.isNaN(values[y][x])) {
                    lo = Math.min(lo, values[y][x]);
                    hi = Math.max(hi, values[y][x]);
                }
                k++;
            }
        }
        data.addSeries(valueName, series);
        if (range != null) {
            lo = range[0];
            hi = range[1];
        }
        if (lo == Double.POSITIVE_INFINITY) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1e-9;
        }
        XYBlockRenderer renderer = new XYBlockRenderer();
        Scale scale = new Scale(lo, hi);
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, new SymbolAxis(xName, xLabels.toArray(String[]::new)),
                new SymbolAxis(yName, yLabels.toArray(String[]::new)), renderer);
        plot.setBackgroundPaint(Color.WHITE);
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(series[2][i])) {
                XYTextAnnotation a = new XYTextAnnotation(String.format(Locale.ROOT, valueFormat, series[2][i]), series[0][i], series[1][i]);
                a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                plot.addAnnotation(a);
            }
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        if (legendShown) {
            NumberAxis legendAxis = new NumberAxis(valueName);
            legendAxis.setRange(lo, hi);
            PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
            legend.setPosition(RectangleEdge.RIGHT);
            legend.setMargin(4, 4, 4, 4);
            chart.addSubtitle(legend);
        }
        chart.setBackgroundPaint(Color.WHITE);
        return svg(chart);
    }

    /** Line chart: each series' y over x = 1, 2, ... (e.g. epochs). NaN points are skipped. */
    public static String lines(String title, String xName, String yName, Map<String, double[]> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            for (int i = 0; i < e.getValue().length; i++) {
                if (!Double.isNaN(e.getValue()[i])) {
                    s.add(i + 1, e.getValue()[i]);
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xName, yName, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        chart.setBackgroundPaint(Color.WHITE);
        return svg(chart);
    }

    /** Grouped bar chart: {@code values.get(series)[i]} for category {@code categories.get(i)}. */
    public static String bars(String title, String xName, String yName, List<String> categories, Map<String, double[]> values) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.forEach((series, v) -> {
            for (int i = 0; i < v.length; i++) {
                data.addValue(v[i], series, categories.get(i));
            }
        });
        JFreeChart chart = ChartFactory.createBarChart(title, xName, yName, data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        CategoryAxis axis = plot.getDomainAxis();
        axis.setCategoryMargin(0.1);
        if (categories.stream().anyMatch(c -> c.length() > 4)) {
            // class names ("Ankle boot") slanted, whole, instead of cut to "Ank..."
            axis.setCategoryLabelPositions(org.jfree.chart.axis.CategoryLabelPositions.UP_45);
            axis.setMaximumCategoryLabelWidthRatio(3f);
        }
        chart.setBackgroundPaint(Color.WHITE);
        return svg(chart);
    }

    private static String svg(JFreeChart chart) {
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g2, new Rectangle(0, 0, WIDTH, HEIGHT));
        return g2.getSVGElement();
    }

    /** Light yellow (low) to dark blue (high), NaN white. */
    private record Scale(double lower, double upper) implements PaintScale {
        @Override
        public double getLowerBound() {
            return lower;
        }

        @Override
        public double getUpperBound() {
            return upper;
        }

        @Override
        public Paint getPaint(double value) {
            if (Double.isNaN(value)) {
                return Color.WHITE;
            }
            double f = Math.max(0, Math.min(1, (value - lower) / (upper - lower)));
            return new Color((int) (255 - 200 * f), (int) (250 - 130 * f), (int) (210 - 40 * f));
        }
    }
}
