package io.sparkalex.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochProgressTest {

    @Test
    void theRunEtaAddsTheEpochsStillToComeAtThisEpochsPace() {
        EpochProgress progress = new EpochProgress(10);
        progress.begin(1, 1000);
        // 500 of 1000 images in 50 s: 10 images/s, 50 s left of this epoch, 9 epochs of 100 s after it
        String line = progress.line(1, 2, 500, 50);
        assertTrue(line.endsWith("10.0 images/s  ETA 0:00:50  run ETA 0:15:50"), line);
    }

    @Test
    void theLastEpochOfTheRunHasTheEpochsEta() {
        EpochProgress progress = new EpochProgress(3);
        progress.begin(3, 640);
        String line = progress.line(3, 4, 480, 48);
        assertTrue(line.endsWith("ETA 0:00:16  run ETA 0:00:16"), line);
    }

    @Test
    void clockShowsHoursMinutesSeconds() {
        assertEquals("26:00:01", EpochProgress.clock(93_601));
    }
}
