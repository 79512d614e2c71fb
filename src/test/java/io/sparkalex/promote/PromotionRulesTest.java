package io.sparkalex.promote;

import io.sparkalex.config.PromoteMetric;
import io.sparkalex.storage.DataProfile;
import io.sparkalex.storage.DriftReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two decisions of a scheduled retraining that need no cluster: promote or not, drifted or not. */
class PromotionRulesTest {
    @Test
    void promotesOnlyWhatBeatsTheIncumbentByMoreThanTheMinimumGain() {
        assertTrue(Promotion.judge(PromoteMetric.VAL_ACC, 0.0, 0.81, 0.80, null).promote());
        assertFalse(Promotion.judge(PromoteMetric.VAL_ACC, 0.0, 0.80, 0.80, null).promote(), "equal is not better");
        assertFalse(Promotion.judge(PromoteMetric.VAL_ACC, 0.02, 0.81, 0.80, null).promote(), "gain 0.01 < 0.02");
        assertTrue(Promotion.judge(PromoteMetric.VAL_LOSS, 0.0, 0.5, 0.6, null).promote(), "lower loss is better");
        assertFalse(Promotion.judge(PromoteMetric.VAL_LOSS, 0.0, 0.7, 0.6, null).promote());
        assertTrue(Promotion.judge(PromoteMetric.VAL_ACC, 0.5, 0.1, null, null).promote(), "nothing promoted yet");
        var incomparable = Promotion.judge(PromoteMetric.VAL_ACC, 0.0, 0.9, null, "other classes");
        assertFalse(incomparable.promote());
        assertEquals("other classes", incomparable.reason());
    }

    /** A diverged model scores NaN: as a candidate it is never promoted; as the incumbent any finite model replaces it. */
    @Test
    void aNonFiniteScoreIsTheWorst() {
        assertFalse(Promotion.judge(PromoteMetric.VAL_LOSS, 0.0, Double.NaN, 0.6, null).promote());
        assertFalse(Promotion.judge(PromoteMetric.VAL_ACC, 0.0, Double.NaN, 0.1, null).promote());
        var replaced = Promotion.judge(PromoteMetric.VAL_LOSS, 0.0, 2.0, Double.NaN, null);
        assertTrue(replaced.promote(), replaced.reason());
        assertTrue(replaced.reason().contains("not finite"), replaced.reason());
        assertTrue(Promotion.judge(PromoteMetric.VAL_TOP5, 0.5, 0.1, Double.NaN, null).promote(), "whatever the gain");
    }

    static DataProfile profile(long a, long b, long c, double bad) {
        return new DataProfile(Map.of("train", Map.of("a", a, "b", b, "c", c)), Map.of(DataProfile.OVERALL, bad));
    }

    @Test
    void driftIsAClassShareChangeNewOrMissingClassesOrMoreBadRows() {
        DriftCheck check = new DriftCheck(0.1, 0.02, "stop");
        DriftReport same = check.compare("ref", profile(100, 100, 100, 0.0), profile(110, 95, 100, 0.01));
        assertFalse(same.drifted(), same.toString());

        DriftReport shifted = check.compare("ref", profile(100, 100, 100, 0.0), profile(100, 100, 20, 0.0));
        assertTrue(shifted.drifted());
        assertEquals("c", shifted.classWithLargestChange());
        assertEquals(1.0 / 3 - 20.0 / 220, shifted.maxClassShareChange(), 1e-9);

        DriftReport bad = check.compare("ref", profile(100, 100, 100, 0.0), profile(100, 100, 100, 0.05));
        assertTrue(bad.drifted() && bad.findings().get(0).contains("unusable rows"), bad.toString());

        DataProfile fourClasses = new DataProfile(Map.of("train", Map.of("a", 100L, "b", 100L, "c", 100L, "d", 5L)),
                Map.of(DataProfile.OVERALL, 0.0));
        DriftReport appeared = check.compare("ref", profile(100, 100, 100, 0), fourClasses);
        assertTrue(appeared.drifted());
        assertEquals(List.of("d"), appeared.newClasses());
    }
}
