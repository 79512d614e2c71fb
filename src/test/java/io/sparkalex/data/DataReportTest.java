package io.sparkalex.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reports built per partition add up on the driver, with a bounded list of examples per reason. */
class DataReportTest {
    static DataReport partition(int used, SkipReason reason, int skipped, String prefix) {
        DataReport r = new DataReport();
        for (int i = 0; i < used; i++) {
            r.countUsed();
        }
        for (int i = 0; i < skipped; i++) {
            r.countSkipped(reason, prefix + i + ".JPEG", i == 0 ? "detail" : null);
        }
        return r;
    }

    @Test
    void mergingAddsCountsPerReason() {
        DataReport all = new DataReport()
                .merge(partition(10, SkipReason.CORRUPT, 2, "a"))
                .merge(partition(5, SkipReason.MISSING_FILE, 1, "b"))
                .merge(partition(0, SkipReason.CORRUPT, 3, "c"));
        assertEquals(21, all.rows());
        assertEquals(15, all.used());
        assertEquals(6, all.skippedTotal());
        assertEquals(6 / 21.0, all.badFraction(), 1e-12);
        assertEquals(SkipReason.CORRUPT, all.worstReason());
        DataReport.Counts counts = all.counts();
        assertEquals(5, counts.skippedByReason().get("corrupt").count());
        assertEquals(1, counts.skippedByReason().get("missing_file").count());
        assertEquals(List.of("a0.JPEG: detail", "a1.JPEG", "c0.JPEG: detail", "c1.JPEG", "c2.JPEG"),
                counts.skippedByReason().get("corrupt").examples(), "in merge order, with details");
        assertEquals("15/21 rows used; skipped: missing_file=1, corrupt=5", all.summary());
    }

    @Test
    void examplesStopAtTheLimitWhateverTheMergeOrder() {
        DataReport all = new DataReport();
        for (int p = 0; p < 4; p++) {
            all.merge(partition(0, SkipReason.EMPTY_FILE, 4, "p" + p + "-"));
        }
        assertEquals(16, all.counts().skippedByReason().get("empty_file").count());
        assertEquals(DataReport.EXAMPLES_PER_REASON, all.examples(SkipReason.EMPTY_FILE).size());
        DataReport one = partition(0, SkipReason.EMPTY_FILE, 25, "x");
        assertEquals(DataReport.EXAMPLES_PER_REASON, one.examples(SkipReason.EMPTY_FILE).size());
    }

    @Test
    void aCleanReportHasNoReasons() {
        DataReport clean = new DataReport().merge(partition(3, SkipReason.CORRUPT, 0, "a"));
        assertEquals(0, clean.badFraction());
        assertNull(clean.worstReason());
        assertEquals(Map.of(), clean.counts().skippedByReason());
        assertEquals("3/3 rows used", clean.summary());
    }
}
