package io.sparkalex.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss, top-1 and top-5 as the executors count them, against values worked out by hand. */
class EvalResultTest {
    static float[] oneHot(int classes, int label) {
        float[] v = new float[classes];
        v[label] = 1;
        return v;
    }

    @Test
    void lossIsTheMeanNegativeLogProbabilityOfTheTrueClass() {
        float[][] p = {{0.7f, 0.2f, 0.1f}, {0.25f, 0.5f, 0.25f}};
        float[][] y = {oneHot(3, 0), oneHot(3, 2)};
        EvalResult r = EvalResult.score(p, y);
        assertEquals(2, r.examples());
        assertEquals((-Math.log(0.7f) - Math.log(0.25f)) / 2, r.loss(), 1e-6);
        assertEquals(0.5, r.accuracy(), 0, "first right, second wrong");
    }

    @Test
    void topFiveCountsTheTrueClassAmongTheFiveMostProbable() {
        float[] p = {0.30f, 0.20f, 0.15f, 0.12f, 0.10f, 0.08f, 0.05f};
        EvalResult fifth = EvalResult.score(new float[][] {p}, new float[][] {oneHot(7, 4)});
        assertEquals(0, fifth.accuracy(), 0);
        assertEquals(1, fifth.top5Accuracy(), 0, "rank 5 is in the top 5");
        EvalResult sixth = EvalResult.score(new float[][] {p}, new float[][] {oneHot(7, 5)});
        assertEquals(0, sixth.top5Accuracy(), 0, "rank 6 is not");
    }

    @Test
    void aTieWithAnEarlierClassIsNotAHit() {
        float[][] uniform = {{0.5f, 0.5f}, {0.5f, 0.5f}};
        EvalResult r = EvalResult.score(uniform, new float[][] {oneHot(2, 0), oneHot(2, 1)});
        assertEquals(0.5, r.accuracy(), 0, "a constant output is right for the first class only");
    }

    @Test
    void aZeroProbabilityGivesALargeFiniteLoss() {
        EvalResult r = EvalResult.score(new float[][] {{1f, 0f}}, new float[][] {oneHot(2, 1)});
        assertTrue(Double.isFinite(r.loss()) && r.loss() > 20, "" + r.loss());
    }

    @Test
    void partitionSumsAddUpToTheWhole() {
        float[][] p = {{0.7f, 0.3f}, {0.4f, 0.6f}, {0.9f, 0.1f}};
        float[][] y = {oneHot(2, 0), oneHot(2, 0), oneHot(2, 1)};
        EvalResult whole = EvalResult.score(p, y);
        EvalResult parts = EvalResult.EMPTY.plus(EvalResult.score(new float[][] {p[0]}, new float[][] {y[0]}))
                .plus(EvalResult.score(new float[][] {p[1], p[2]}, new float[][] {y[1], y[2]}));
        assertEquals(whole.examples(), parts.examples());
        assertEquals(whole.loss(), parts.loss(), 1e-12);
        assertEquals(whole.accuracy(), parts.accuracy(), 0);
        assertTrue(Double.isNaN(EvalResult.EMPTY.loss()), "no examples, no mean");
    }
}
