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

    /**
     * Top-1 and top-5 against a direct computation: sort the classes by probability, ties by class
     * index, and look for the true class among the first one or five. Rows drawn from a handful of
     * values, so most of them hold ties, some across the fifth place.
     */
    @Test
    void topOneAndTopFiveMatchASortOfTheClassesWithTiesBrokenByIndex() {
        java.util.Random random = new java.util.Random(17);
        float[] levels = {0f, 0.05f, 0.1f, 0.1f, 0.2f};
        for (int k : new int[] {6, 7, 12}) {
            float[][] p = new float[500][k];
            int[] labels = new int[p.length];
            long top1 = 0;
            long top5 = 0;
            for (int i = 0; i < p.length; i++) {
                for (int c = 0; c < k; c++) {
                    p[i][c] = levels[random.nextInt(levels.length)];
                }
                labels[i] = random.nextInt(k);
                float[] row = p[i];
                java.util.List<Integer> order = new java.util.ArrayList<>();
                for (int c = 0; c < k; c++) {
                    order.add(c);
                }
                order.sort(java.util.Comparator.<Integer>comparingDouble(c -> -row[c]).thenComparingInt(c -> c));
                top1 += order.get(0) == labels[i] ? 1 : 0;
                top5 += order.subList(0, 5).contains(labels[i]) ? 1 : 0;
            }
            EvalResult r = EvalResult.score(p, labels);
            assertEquals(top1, Math.round(r.accuracy() * p.length), k + " classes: top-1");
            assertEquals(top5, Math.round(r.top5Accuracy() * p.length), k + " classes: top-5");
            long diagonal = 0;
            for (int c = 0; c < k; c++) {
                diagonal += r.confusion(c, c);
            }
            assertEquals(top1, diagonal, "the confusion matrix predicts the first class of highest probability");
        }
    }

    /**
     * A diverged network's NaN outputs: every comparison with NaN is false, so a row of NaN once
     * ranked its true class first. Now such a row is a miss everywhere, predicts no class (it counts
     * against its class's recall, in no column), and makes the loss NaN.
     */
    @Test
    void aRowWithNonFiniteOutputsIsAMissWithNoPredictedClassAndANanLoss() {
        float nan = Float.NaN;
        float[][] p = {{nan, nan, nan, nan, nan, nan, nan}, {0.7f, 0.1f, 0.1f, 0.05f, 0.05f, 0f, 0f},
            {0.5f, Float.POSITIVE_INFINITY, 0f, 0f, 0f, 0f, 0f}};
        EvalResult r = EvalResult.score(p, new int[] {0, 0, 1});
        assertEquals(3, r.examples());
        assertEquals(1.0 / 3, r.accuracy(), 1e-12, "only the finite row is a hit");
        assertEquals(1.0 / 3, r.top5Accuracy(), 1e-12);
        assertTrue(Double.isNaN(r.loss()), "a NaN loss is never a best one");
        assertEquals(1, r.confusion(0, 0));
        assertEquals(1, r.unpredicted(0));
        assertEquals(1, r.unpredicted(1));
        for (int c = 0; c < 7; c++) {
            assertEquals(0, r.confusion(1, c), "no column for a row that predicted nothing");
        }
        EvaluationReport report = EvaluationReport.of("m", "val", 1, r, java.util.List.of("a", "b", "c", "d", "e", "f", "g"),
                java.util.Map.of(), new io.sparkalex.data.DataReport().counts());
        assertEquals(2, report.classes().get(0).support());
        assertEquals(0.5, report.classes().get(0).recall(), 1e-12, "the unpredicted image counts against recall");
        assertEquals(1.0, report.classes().get(0).precision(), 1e-12);
        assertTrue(report.confusionCsv().startsWith("actual\\predicted,a,b,c,d,e,f,g,none\n"), report.confusionCsv());
        assertTrue(report.confusionCsv().contains("\na,1,0,0,0,0,0,0,1\n"), report.confusionCsv());
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
