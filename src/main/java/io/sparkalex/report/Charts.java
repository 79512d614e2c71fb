package io.sparkalex.report;

import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.storage.EpochMetrics;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The run's charts as PNG bytes, drawn by JFreeChart (headless; no display needed): per epoch the
 * train/val loss and accuracy, the learning rate and the training throughput, as the reference
 * script's {@code draw_loss_acc} plots them; and the confusion matrix of an evaluation as a heatmap.
 */
public final class Charts {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** File names of the per-epoch charts, in the order the report shows them. */
    public static final List<String> EPOCH_CHARTS = List.of("loss.png", "accuracy.png", "learning-rate.png",
            "throughput.png");
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    /** Above this many classes the heatmap drops its per-class labels and cell counts: they would overlap. */
    private static final int LABELLED_CLASSES = 30;

    private Charts() {
    }

    /** Every per-epoch chart of {@link #EPOCH_CHARTS}, by file name. */
    public static Map<String, byte[]> epochCharts(List<EpochMetrics> history) {
        Map<String, Function<EpochMetrics, Double>> loss = new LinkedHashMap<>();
        loss.put("train (training pass)", EpochMetrics::trainLoss);
        loss.put("val", EpochMetrics::valLoss);
        Map<String, Function<EpochMetrics, Double>> accuracy = new LinkedHashMap<>();
        accuracy.put("train (training pass)", EpochMetrics::trainAcc);
        accuracy.put("val", EpochMetrics::valAcc);
        if (history.stream().anyMatch(m -> m.valTop5() != null)) {
            accuracy.put("val top-5", EpochMetrics::valTop5);
        }
        Map<String, byte[]> charts = new LinkedHashMap<>();
        charts.put(EPOCH_CHARTS.get(0), perEpoch("Loss (cross-entropy)", "loss", loss, history, false));
        charts.put(EPOCH_CHARTS.get(1), perEpoch("Accuracy", "accuracy", accuracy, history, false));
        charts.put(EPOCH_CHARTS.get(2), perEpoch("Learning rate", "learning rate",
                Map.of("lr", EpochMetrics::lr), history, spansADecade(history)));
        charts.put(EPOCH_CHARTS.get(3), perEpoch("Training throughput", "images/s",
                Map.of("images/s", EpochMetrics::imagesPerSec), history, false));
        return charts;
    }

    /** A log scale only where the rate moved by 10x or more (step decay, cosine to a small floor). */
    private static boolean spansADecade(List<EpochMetrics> history) {
        double min = history.stream().mapToDouble(EpochMetrics::lr).min().orElse(0);
        double max = history.stream().mapToDouble(EpochMetrics::lr).max().orElse(0);
        return min > 0 && max / min >= 10;
    }

    private static byte[] perEpoch(String title, String yLabel, Map<String, Function<EpochMetrics, Double>> series,
                                   List<EpochMetrics> history, boolean logScale) {
        return png(perEpochChart(title, yLabel, series, history, logScale), WIDTH, HEIGHT);
    }

    /** A line chart of {@code series} over the epochs of {@code history}. */
    static JFreeChart perEpochChart(String title, String yLabel, Map<String, Function<EpochMetrics, Double>> series,
                                    List<EpochMetrics> history, boolean logScale) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((name, value) -> {
            XYSeries s = new XYSeries(name);
            for (EpochMetrics m : history) {
                Double v = value.apply(m);
                if (v != null && Double.isFinite(v)) {
                    s.add(m.epoch(), v);
                }
            }
            data.addSeries(s);
        });
        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochs.setAutoRangeIncludesZero(false);
        ValueAxis values;
        if (logScale) {
            values = new LogAxis(yLabel);
        } else {
            NumberAxis linear = new NumberAxis(yLabel);
            linear.setAutoRangeIncludesZero(false);
            // A flat series (a constant learning rate) would be drawn on a range of its rounding
            // error, ticked 4.99995E-4 ... 5.00045E-4: span at least a fifth of the largest value.
            linear.setAutoRangeMinimumSize(Math.max(largest(data) * 0.2, Double.MIN_NORMAL));
            values = linear;
        }
        XYPlot plot = new XYPlot(data, epochs, values, new XYLineAndShapeRenderer(true, true));
        style(plot);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, series.size() > 1);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * The confusion matrix as a heatmap: rows are the actual class, columns the predicted one,
     * each cell coloured by its share of the row (so a class's recall is its diagonal cell), with
     * the image count written in it when there are few classes.
     */
    public static byte[] confusion(EvaluationReport report) {
        int k = report.classes().size();
        double[] xs = new double[k * k];
        double[] ys = new double[k * k];
        double[] zs = new double[k * k];
        for (int a = 0; a < k; a++) {
            long support = Math.max(1, report.classes().get(a).support());
            for (int p = 0; p < k; p++) {
                int i = a * k + p;
                xs[i] = p;
                ys[i] = a;
                zs[i] = report.confusion().get(a).get(p) / (double) support;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("share of row", new double[][] {xs, ys, zs});
        String[] labels = report.classes().stream().map(EvaluationReport.ClassScore::label).toArray(String[]::new);
        SymbolAxis predicted = new SymbolAxis("predicted", labels);
        SymbolAxis actual = new SymbolAxis("actual", labels);
        actual.setInverted(true);
        predicted.setVerticalTickLabels(true);
        boolean labelled = k <= LABELLED_CLASSES;
        predicted.setTickLabelsVisible(labelled);
        actual.setTickLabelsVisible(labelled);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(BLUES);
        XYPlot plot = new XYPlot(data, predicted, actual, renderer);
        style(plot);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        if (labelled) {
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, k <= 12 ? 12 : 9);
            for (int i = 0; i < zs.length; i++) {
                XYTextAnnotation count = new XYTextAnnotation(
                        Long.toString(report.confusion().get((int) ys[i]).get((int) xs[i])), xs[i], ys[i]);
                count.setFont(font);
                count.setPaint(zs[i] > 0.5 ? Color.WHITE : Color.DARK_GRAY);
                plot.addAnnotation(count);
            }
        }
        JFreeChart chart = new JFreeChart("Confusion matrix: " + report.split() + " (" + report.images()
                + " images)", JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        PaintScaleLegend legend = new PaintScaleLegend(BLUES, new NumberAxis("share of the actual class"));
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 4, 4);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        int side = Math.min(1600, Math.max(520, 200 + 36 * k));
        return png(chart, side + 120, side);
    }

    /** The largest absolute value of any series (0 for none). */
    private static double largest(XYSeriesCollection data) {
        double max = 0;
        for (int s = 0; s < data.getSeriesCount(); s++) {
            for (int i = 0; i < data.getItemCount(s); i++) {
                max = Math.max(max, Math.abs(data.getYValue(s, i)));
            }
        }
        return max;
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    /** White (0) to dark blue (1). */
    private static final PaintScale BLUES = new PaintScale() {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 1;
        }

        @Override
        public Paint getPaint(double value) {
            double t = Math.max(0, Math.min(1, value));
            return new Color((int) Math.round(247 - t * (247 - 8)), (int) Math.round(251 - t * (251 - 48)),
                    (int) Math.round(255 - t * (255 - 107)));
        }
    };

    private static byte[] png(JFreeChart chart, int width, int height) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, width, height);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
