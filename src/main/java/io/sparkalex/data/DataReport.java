package io.sparkalex.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened to every CSV row of one or more splits: how many became training examples, how
 * many were skipped and why, with the first few file names per reason. Built per partition on the
 * executors and merged on the driver; written as {@code data-report.json}.
 */
public final class DataReport implements Serializable {
    private static final long serialVersionUID = 1L;
    /** File names kept per reason: enough to find the pattern, small enough to ship back. */
    public static final int EXAMPLES_PER_REASON = 10;

    private long rows;
    private long used;
    // TreeMap, not EnumMap: Kryo cannot rebuild an EnumMap.
    private final TreeMap<SkipReason, Long> skipped = new TreeMap<>();
    private final TreeMap<SkipReason, List<String>> examples = new TreeMap<>();

    public void countUsed() {
        rows++;
        used++;
    }

    public void countSkipped(SkipReason reason, String filename, String detail) {
        rows++;
        skipped.merge(reason, 1L, Long::sum);
        List<String> list = examples.computeIfAbsent(reason, r -> new ArrayList<>());
        if (list.size() < EXAMPLES_PER_REASON) {
            list.add(detail == null ? filename : filename + ": " + detail);
        }
    }

    public DataReport merge(DataReport other) {
        rows += other.rows;
        used += other.used;
        other.skipped.forEach((r, n) -> skipped.merge(r, n, Long::sum));
        other.examples.forEach((r, list) -> {
            List<String> mine = examples.computeIfAbsent(r, k -> new ArrayList<>());
            for (String e : list) {
                if (mine.size() < EXAMPLES_PER_REASON) {
                    mine.add(e);
                }
            }
        });
        return this;
    }

    public long rows() {
        return rows;
    }

    public long used() {
        return used;
    }

    public long skippedTotal() {
        return rows - used;
    }

    public double badFraction() {
        return rows == 0 ? 0 : (double) skippedTotal() / rows;
    }

    public List<String> examples(SkipReason reason) {
        return examples.getOrDefault(reason, List.of());
    }

    /** The most frequent skip reason, or null when nothing was skipped. */
    public SkipReason worstReason() {
        return skipped.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    /** What a reason's count, description and first file names are, for {@code data-report.json}. */
    public record ReasonCount(long count, String description, List<String> examples) {
    }

    /** The counts as {@code data-report.json} gives them for each split (reasons in lower case). */
    public record Counts(long rows, long used, long skipped, Map<String, ReasonCount> skippedByReason) {
    }

    /** A report as {@link #counts()} gave it, e.g. read back from the image cache's manifest. */
    public static DataReport of(Counts counts) {
        DataReport r = new DataReport();
        r.rows = counts.rows();
        r.used = counts.used();
        counts.skippedByReason().forEach((key, c) -> {
            SkipReason reason = SkipReason.valueOf(key.toUpperCase(Locale.ROOT));
            r.skipped.put(reason, c.count());
            r.examples.put(reason, new ArrayList<>(c.examples()));
        });
        return r;
    }

    public Counts counts() {
        Map<String, ReasonCount> reasons = new LinkedHashMap<>();
        skipped.forEach((r, n) -> reasons.put(key(r), new ReasonCount(n, r.description(), examples(r))));
        return new Counts(rows, used, skippedTotal(), reasons);
    }

    private static String key(SkipReason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /** One line for the log, e.g. {@code 998/1000 rows used; skipped: corrupt=1, missing_file=1}. */
    public String summary() {
        StringBuilder sb = new StringBuilder().append(used).append('/').append(rows).append(" rows used");
        if (!skipped.isEmpty()) {
            sb.append("; skipped: ");
            skipped.forEach((r, n) -> sb.append(key(r)).append('=').append(n).append(", "));
            sb.setLength(sb.length() - 2);
        }
        return sb.toString();
    }
}
