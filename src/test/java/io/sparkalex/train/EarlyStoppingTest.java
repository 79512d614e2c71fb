package io.sparkalex.train;

import io.sparkalex.storage.EpochMetrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyStoppingTest {
    static List<EpochMetrics> history(double... valLosses) {
        List<EpochMetrics> h = new ArrayList<>();
        for (int i = 0; i < valLosses.length; i++) {
            h.add(new EpochMetrics(i + 1, 1, 0.5, valLosses[i], 0.5, null, 10, 1, 1, 0, 1e-3, 10, 10, "t", null, null, "t"));
        }
        return h;
    }

    @Test
    void stopsAfterPatienceEpochsWithoutAnImprovementBeyondMinDelta() {
        assertTrue(EarlyStopping.stopReason(history(1.0, 0.9, 0.95, 0.92), 2, 0).isPresent(), "two epochs above 0.9");
        assertTrue(EarlyStopping.stopReason(history(1.0, 0.9, 0.95), 2, 0).isEmpty(), "only one so far");
        assertTrue(EarlyStopping.stopReason(history(1.0, 0.9, 0.95, 0.89), 2, 0).isEmpty(), "0.89 is a new best");
        // With min_delta 0.05 a drop from 0.9 to 0.89 is no improvement.
        String reason = EarlyStopping.stopReason(history(1.0, 0.9, 0.95, 0.89), 2, 0.05).orElseThrow();
        assertTrue(reason.contains("best 0.9000 at epoch 2") && reason.contains("after epoch 4"), reason);
    }

    @Test
    void patienceZeroNeverStops() {
        assertEquals(java.util.Optional.empty(), EarlyStopping.stopReason(history(1, 2, 3, 4, 5), 0, 0));
    }
}
