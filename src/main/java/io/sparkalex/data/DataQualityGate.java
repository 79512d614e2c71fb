package io.sparkalex.data;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether the decoded data can be trained on, and says why not: an empty train or val
 * split, or more unusable rows than {@code max_bad_fraction} allows. Runs after decoding and
 * before the first training step, so a bad data set costs minutes, not an epoch.
 */
public final class DataQualityGate {
    private final double maxBadFraction;

    public DataQualityGate(double maxBadFraction) {
        this.maxBadFraction = maxBadFraction;
    }

    /** {@code data-report.json}: what happened to every row, overall and per split. */
    public record ReportFile(String csv, String images, long rows, long used, long skipped,
                             Map<String, DataReport.ReasonCount> skippedByReason, double badFraction,
                             double maxBadFraction, Map<String, DataReport.Counts> splits) {
    }

    /** All splits' reports merged, with the locations they came from. */
    public ReportFile report(CachedData data, String csv, String images) {
        DataReport all = data.overall();
        DataReport.Counts total = all.counts();
        Map<String, DataReport.Counts> perSplit = new LinkedHashMap<>();
        data.splits().forEach((name, split) -> perSplit.put(name, split.report().counts()));
        return new ReportFile(csv, images, total.rows(), total.used(), total.skipped(), total.skippedByReason(),
                all.badFraction(), maxBadFraction, perSplit);
    }

    /** Throws a {@link DataError} naming the reason and examples when the data cannot be trained on. */
    public void check(CachedData data, String reportLocation) {
        DataReport all = data.overall();
        if (all.badFraction() > maxBadFraction) {
            SkipReason reason = all.worstReason();
            throw new DataError(String.format(Locale.ROOT,
                    "%d of %d rows (%.2f%%) cannot be used, above max_bad_fraction=%s; most are %s (%s), e.g. %s; "
                            + "see %s", all.skippedTotal(), all.rows(), 100 * all.badFraction(), maxBadFraction,
                    reason.name().toLowerCase(Locale.ROOT), reason.description(), all.examples(reason),
                    reportLocation));
        }
        for (String required : new String[] {"train", "val"}) {
            CachedSplit split = data.splits().get(required);
            if (split == null || split.examples() == 0) {
                throw new DataError("no usable images left in the " + required + " split; see " + reportLocation);
            }
        }
    }
}
