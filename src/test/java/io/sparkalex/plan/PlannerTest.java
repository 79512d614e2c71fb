package io.sparkalex.plan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plan's arithmetic on a fixed calibration (src/test/resources/plan/calibration-fixed.json:
 * t_b 3 s, c 0.5 s of which 0.4 s are the 2 workers' 100 MB changes up and down a 1 GB/s link,
 * x 2 s, x1 10 s, 0.01 s per val image, 5 s between epochs, 50 images/s per core for the cache,
 * 60 s of the run's own), worked by hand in the comments.
 */
class PlannerTest {
    static final double EPS = 1e-9;

    static Calibration fixed() throws IOException {
        try (InputStream in = PlannerTest.class.getResourceAsStream("/plan/calibration-fixed.json")) {
            return Calibration.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static RunDescription run(int workers, double linkGbps) {
        return new RunDescription(6400, 1000, 0, 10, 32, 10, workers, 1, 1, true, "cpu", linkGbps, Double.NaN);
    }

    @Test
    void aCalibratedLayoutIsPlannedTermByTerm() throws IOException {
        Plan p = new Planner(fixed(), "fixed").plan(run(2, Double.NaN), List.of(1, 2, 4), 0.5);
        // 200 minibatches, 10 rounds of 10 per worker: fitting 300 s; c0 = 0.5 - (2 + 2) x 0.1 = 0.1 s a round;
        // transfers 0.4 s a round; x 2 s: training 307 s. Evaluation 1000 x 0.01 / 2 = 5 s, checkpoint 5 s.
        assertEquals(10, p.epoch().rounds());
        assertEquals(10, p.epoch().minibatchesPerWorkerPerRound());
        assertEquals(300.0, p.epoch().fitting(), EPS);
        assertEquals(1.0, p.epoch().roundFixed(), EPS);
        assertEquals(4.0, p.epoch().transfers(), EPS);
        assertEquals(307.0, p.epoch().training(), EPS);
        assertEquals(317.0, p.epochSeconds(), EPS);
        assertEquals(6400 / 307.0, p.imagesPerSecond(), EPS);
        assertEquals(64_000 / 3080.0, p.runImagesPerSecond(), EPS, "10 epochs and the first one's 10 s");
        // cache: 7400 images / (50 x 2 cores) = 74 s; total 60 + 74 + 10 x 317 + 10 = 3314 s; 2 nodes + driver
        assertEquals(74.0, p.cacheBuildSeconds(), EPS);
        assertEquals(3314.0, p.totalSeconds(), EPS);
        assertEquals(2, p.nodes());
        assertEquals(3 * 3314 / 3600.0, p.nodeHours(), EPS);
        // one worker: 20 rounds of 10, 0.1 + (1 + 1) x 0.1 fixed each: 600 + 2 + 4 + 2 = 608 s
        assertEquals(6400 / 307.0 / (2 * 6400 / 608.0), p.efficiency(), EPS);
        assertEquals(List.of(), p.extrapolations(), "all calibrated");
        // four workers: relay tree, (4 + 3) x 0.1 s a round over 5 rounds: 150 + 0.5 + 3.5 + 2 = 156 s
        assertEquals(6400 / 156.0, p.scaling().get(2).imagesPerSecond(), EPS);
        assertNull(p.stopsPayingAfter(), "every step up to 4 gains most of a worker");
        assertTrue(p.table().contains("training images/s"), p.table());
    }

    @Test
    void aSlowLinkStopsTheScalingAndIsMarkedAnExtrapolation() throws IOException {
        Plan p = new Planner(fixed(), "fixed").plan(run(2, 0.08), List.of(1, 2, 4), 0.5);
        // 10 MB/s: 10 s a hop. One worker 600 + 2 + 20 x 20 + 2 = 1004 s; two 300 + 1 + 10 x 40 + 2 = 703 s:
        // the second worker adds 6400/703 - 6400/1004 = 0.43 of one worker's 6400/1004 images/s, under 0.5
        assertEquals(6400 / 703.0, p.imagesPerSecond(), EPS);
        assertEquals(1, p.stopsPayingAfter());
        assertTrue(p.extrapolations().get(0).startsWith("the driver's link at 0.08 Gbit/s"), p.extrapolations().toString());
        assertTrue(p.table().contains("stops paying after 1"), p.table());
    }

    @Test
    void otherShapesAndFrequenciesAreExtrapolationsThatSayWhy() throws IOException {
        RunDescription fat = new RunDescription(6400, 0, 0, 1, 32, 20, 8, 4, 16, false, "cpu", Double.NaN, Double.NaN);
        Plan p = new Planner(fixed(), "fixed").plan(fat, List.of(8), 0.5);
        // 4 cores: t_b 0.75 s; 200 minibatches in 2 rounds of 13 per worker (the last round's share rounded up)
        assertEquals(2, p.epoch().rounds());
        assertEquals(13, p.epoch().minibatchesPerWorkerPerRound());
        assertEquals(2 * 13 * 0.75, p.epoch().fitting(), EPS);
        assertEquals(2, p.nodes(), "8 workers of 4 cores on 16-core nodes");
        assertEquals(3, p.extrapolations().size(), p.extrapolations().toString());
        assertTrue(String.join("\n", p.extrapolations()).contains("f=20 not calibrated"));
    }

    @Test
    void aGpuPlanFromACpuCalibrationNeedsTheGpusMinibatchTime() throws IOException {
        RunDescription gpu = new RunDescription(6400, 0, 0, 1, 32, 10, 2, 1, 1, true, "gpu", Double.NaN, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> new Planner(fixed(), "fixed").plan(gpu, List.of(2), 0.5));
        RunDescription given = new RunDescription(6400, 0, 0, 1, 32, 10, 2, 1, 1, true, "gpu", Double.NaN, 0.05);
        Plan p = new Planner(fixed(), "fixed").plan(given, List.of(2), 0.5);
        assertEquals(10 * 10 * 0.05, p.epoch().fitting(), EPS);
        assertTrue(p.extrapolations().get(0).startsWith("t_b = 0.05 s per minibatch as given"));
    }

    @Test
    void theCalibrationFileRoundTripsAndOtherFilesAreRefused() throws IOException {
        Calibration c = fixed();
        assertEquals(c, Calibration.fromJson(c.toJson()));
        assertThrows(IllegalArgumentException.class, () -> Calibration.fromJson("{\"format\": 2}"));
    }

    @Test
    void clocksShowDaysAndNegativeExtras() {
        assertEquals("1d 9:27:19", Plan.clock(120_439));
        assertEquals("-0:00:08", Plan.clock(-8.4));
    }
}
