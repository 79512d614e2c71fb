package io.sparkalex.eval;

import io.sparkalex.data.DataReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-class precision, recall and F1 and the confusion matrix, against a case worked out by hand. */
class EvaluationReportTest {
    /**
     * Six images of classes a, b, c: a is predicted a, a, b; b is predicted b, b; c is predicted a.
     * So a: precision 2/3 (a, a right; c's image wrong), recall 2/3; b: precision 2/3, recall 1;
     * c: never predicted, precision 0, recall 0.
     */
    static EvaluationReport handWorked() {
        float[][] p = {
            {0.8f, 0.1f, 0.1f}, {0.6f, 0.3f, 0.1f}, {0.2f, 0.7f, 0.1f},
            {0.1f, 0.8f, 0.1f}, {0.3f, 0.4f, 0.3f},
            {0.5f, 0.2f, 0.3f}};
        int[] labels = {0, 0, 0, 1, 1, 2};
        EvalResult r = EvalResult.score(new float[][] {p[0], p[1]}, new int[] {0, 0})
                .plus(EvalResult.score(new float[][] {p[2], p[3], p[4], p[5]}, new int[] {0, 1, 1, 2}));
        assertEquals(6, labels.length);
        return EvaluationReport.of("m.zip", "test", 1, r, List.of("a", "b", "c"), Map.of("a", "apple"),
                new DataReport().counts());
    }

    @Test
    void perClassScoresFollowFromTheConfusionMatrix() {
        EvaluationReport r = handWorked();
        assertEquals(List.of(List.of(2L, 1L, 0L), List.of(0L, 2L, 0L), List.of(1L, 0L, 0L)), r.confusion());
        var a = r.classes().get(0);
        assertEquals("apple", a.name());
        assertEquals("b", r.classes().get(1).name(), "no name: the id");
        assertEquals(3, a.support());
        assertEquals(3, a.predicted());
        assertEquals(2.0 / 3, a.precision(), 1e-12);
        assertEquals(2.0 / 3, a.recall(), 1e-12);
        assertEquals(2.0 / 3, a.f1(), 1e-12);
        var b = r.classes().get(1);
        assertEquals(2.0 / 3, b.precision(), 1e-12);
        assertEquals(1.0, b.recall(), 1e-12);
        assertEquals(0.8, b.f1(), 1e-12);
        var c = r.classes().get(2);
        assertEquals(0, c.predicted());
        assertEquals(0, c.precision(), 0, "never predicted: 0, not NaN");
        assertEquals(0, c.f1(), 0);
        assertEquals((2.0 / 3 + 2.0 / 3 + 0) / 3, r.macroPrecision(), 1e-12);
        assertEquals((2.0 / 3 + 1 + 0) / 3, r.macroRecall(), 1e-12);
        assertEquals(4.0 / 6, r.accuracy(), 1e-12);
        assertNull(r.top5(), "3 classes");
    }

    @Test
    void theCsvHasOneRowPerActualClass() {
        assertEquals("actual\\predicted,a apple,b,c\na apple,2,1,0\nb,0,2,0\nc,1,0,0\n", handWorked().confusionCsv());
    }

    @Test
    void classesAreLabelledByIdAndNameCutForAThousandClasses() {
        EvalResult r = EvalResult.score(new float[][] {{0.9f, 0.05f, 0.05f}}, new int[] {0});
        EvaluationReport report = EvaluationReport.of("m.zip", "val", 1, r, List.of("n03594734", "n01440764", "x"),
                Map.of("n03594734", "trouser, pant", "n01440764", "a \"quoted\" rather longer fish name"),
                new DataReport().counts());
        assertEquals(List.of("n03594734 trouser", "n01440764 a \"quoted\" rather l…", "x"),
                report.classes().stream().map(EvaluationReport.ClassScore::label).toList(),
                "the first synonym; at most 20 characters of name; the id where there is no name");
        assertTrue(report.confusionCsv().startsWith(
                "actual\\predicted,n03594734 trouser,\"n01440764 a \"\"quoted\"\" rather l…\",x\n"), report.confusionCsv());
    }

    @Test
    void theLogTableNamesEveryClassAndTheTotals() {
        String table = handWorked().table();
        assertTrue(table.contains("apple") && table.contains("macro avg") && table.contains("test: 6 images"), table);
        assertEquals(6, table.lines().count(), table);
    }
}
