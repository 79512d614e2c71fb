package io.sparkalex.plan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Pooling calibrations of one layout: each term the median, the passes counted, other layouts refused. */
class CalibrationPoolTest {

    /** The fixed calibration with its minibatch time (pooled and the run's) scaled, as a slower or faster spell gives. */
    static Calibration scaled(Calibration c, double factor, int workers) {
        Calibration.Terms t = c.terms();
        Calibration.Terms terms = new Calibration.Terms(t.minibatchSeconds() * factor, t.roundFixedSeconds(),
                t.transferBytesPerWorker(), t.transferBytesPerSecond(), t.epochExtraSeconds(), t.firstEpochExtraSeconds(),
                t.evalSecondsPerImage(), t.betweenEpochsSeconds(), t.cacheImagesPerSecondPerCore(), t.runOverheadSeconds());
        List<Calibration.Run> runs = c.runs().stream().map(r -> new Calibration.Run(r.averagingFrequency(), r.workers(),
                r.passes(), r.trainImages(), r.valImages(), r.epochs(), r.roundsPerEpoch(), r.minibatchSeconds() * factor,
                r.roundFixedSeconds(), r.epochExtraSeconds(), r.firstEpochExtraSeconds(), r.evalSecondsPerImage(),
                r.betweenEpochsSeconds(), r.trainImagesPerSecond(), r.cacheImages(), r.cacheSeconds(), r.runSeconds())).toList();
        Calibration.Cluster k = c.cluster();
        return new Calibration(c.format(), c.date() + "x" + factor, c.machine(), c.versions(),
                new Calibration.Cluster(k.master(), workers, k.coresPerWorker(), k.device()), c.network(), terms, runs);
    }

    @Test
    void eachTermIsTheMedianOverTheCalibrations() throws IOException {
        Calibration c = PlannerTest.fixed();
        int w = c.cluster().workers();
        assertSame(c, CalibrationPool.of(List.of(c)));

        Calibration pooled = CalibrationPool.of(List.of(scaled(c, 1.3, w), c, scaled(c, 0.8, w)));
        assertEquals(c.terms(), pooled.terms(), "the median of 1.3, 1 and 0.8 times t_b is t_b; the rest equal");
        Calibration.Run run = pooled.run(10);
        assertEquals(c.run(10).minibatchSeconds(), run.minibatchSeconds(), PlannerTest.EPS);
        assertEquals(3 * c.run(10).passes(), run.passes(), "every calibration's passes");
        assertEquals(3 * c.run(10).trainImagesPerSecond().size(), run.trainImagesPerSecond().size());
        assertEquals(3 * c.run(10).runSeconds(), run.runSeconds(), PlannerTest.EPS);

        Calibration two = CalibrationPool.of(List.of(scaled(c, 1.2, w), scaled(c, 0.8, w)));
        assertEquals(c.terms().minibatchSeconds(), two.terms().minibatchSeconds(), PlannerTest.EPS, "two: their mean");
        // and the plan of the pooled calibration is the plan of the median calibration
        assertEquals(new Planner(c, "c").plan(PlannerTest.run(2, Double.NaN), List.of(2), 0.5).imagesPerSecond(),
                new Planner(pooled, "p").plan(PlannerTest.run(2, Double.NaN), List.of(2), 0.5).imagesPerSecond(),
                PlannerTest.EPS);
    }

    @Test
    void calibrationsOfAnotherLayoutAreRefused() throws IOException {
        Calibration c = PlannerTest.fixed();
        assertThrows(IllegalArgumentException.class,
                () -> CalibrationPool.of(List.of(c, scaled(c, 1.0, c.cluster().workers() + 1))));
    }
}
