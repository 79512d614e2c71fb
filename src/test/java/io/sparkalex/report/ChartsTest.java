package io.sparkalex.report;

import io.sparkalex.storage.EpochMetrics;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.Range;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {

    private static EpochMetrics epoch(int e, double lr) {
        return new EpochMetrics(e, 1.0, 0.5, 1.0, 0.5, null, 100, 10, 8, 2, lr, 100, 20, "t", null, null, "s");
    }

    @Test
    void aConstantLearningRateIsDrawnOnAReadableRange() {
        List<EpochMetrics> history = IntStream.rangeClosed(1, 5).mapToObj(e -> epoch(e, 5e-4)).toList();
        JFreeChart chart = Charts.perEpochChart("Learning rate", "learning rate",
                Map.<String, Function<EpochMetrics, Double>>of("lr", EpochMetrics::lr), history, false);
        Range y = ((XYPlot) chart.getPlot()).getRangeAxis().getRange();
        assertTrue(y.contains(5e-4), y.toString());
        assertTrue(y.getLength() >= 1e-4, "at least a fifth of the value, not its rounding error: " + y);
    }
}
