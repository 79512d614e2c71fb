package io.sparkalex.data;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate between decoding and training, and the report it writes. */
class DataQualityGateTest {
    static CachedSplit split(String name, int used, int corrupt) {
        DataReport r = DataReportTest.partition(used, SkipReason.CORRUPT, corrupt, name + "-");
        return new CachedSplit(name, "file:/cache/" + name, used == 0 ? List.of() : List.of(new ShardInfo(0, 0, used)), r);
    }

    static CachedData data(CachedSplit... splits) {
        Map<String, CachedSplit> m = new LinkedHashMap<>();
        for (CachedSplit s : splits) {
            m.put(s.name(), s);
        }
        return new CachedData(m);
    }

    @Test
    void tooManyBadRowsStopTheRunNamingTheReasonAndExamples() {
        CachedData d = data(split("train", 90, 8), split("val", 10, 2));
        assertDoesNotThrow(() -> new DataQualityGate(0.1).check(d, "out/data-report.json"));
        DataError e = assertThrows(DataError.class, () -> new DataQualityGate(0.05).check(d, "out/data-report.json"));
        assertTrue(e.getMessage().contains("10 of 110 rows") && e.getMessage().contains("corrupt")
                && e.getMessage().contains("train-0.JPEG") && e.getMessage().contains("out/data-report.json"),
                e.getMessage());
    }

    @Test
    void anEmptyTrainOrValSplitStopsTheRun() {
        DataError e = assertThrows(DataError.class,
                () -> new DataQualityGate(1.0).check(data(split("train", 5, 0), split("val", 0, 1)), "r"));
        assertTrue(e.getMessage().contains("val split"), e.getMessage());
    }

    @Test
    void theReportHasTheTotalsAndEachSplit() {
        var report = new DataQualityGate(0.2).report(data(split("train", 90, 8), split("val", 10, 2)), "a.csv", "img");
        assertEquals(110, report.rows());
        assertEquals(100, report.used());
        assertEquals(10, report.skipped());
        assertEquals(10, report.skippedByReason().get("corrupt").count());
        assertEquals(10 / 110.0, report.badFraction(), 1e-12);
        assertEquals(0.2, report.maxBadFraction());
        assertEquals(List.of("train", "val"), List.copyOf(report.splits().keySet()));
        assertEquals(8, report.splits().get("train").skipped());
    }
}
