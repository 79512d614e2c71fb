package io.sparkalex.storage;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.jsonl} and {@code metrics.csv} in the output directory, rewritten whole and
 * atomically from the run's history after every epoch. The history itself lives in the checkpoint,
 * so the two files always agree with {@code latest.zip} and never hold a torn line.
 */
public final class MetricsLog {
    public static final String JSONL = "metrics.jsonl";
    public static final String CSV = "metrics.csv";
    static final String[] COLUMNS = EpochMetrics.class.getAnnotation(
            com.fasterxml.jackson.annotation.JsonPropertyOrder.class).value();

    private final FileSystem fs;
    private final Path dir;

    public MetricsLog(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    public void write(List<EpochMetrics> history) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (EpochMetrics m : history) {
            jsonl.append(Json.write(m)).append('\n');
            var node = Json.MAPPER.valueToTree(m);
            for (int i = 0; i < COLUMNS.length; i++) {
                var v = node.get(COLUMNS[i]);
                csv.append(i == 0 ? "" : ",").append(v == null || v.isNull() ? "" : v.isNumber()
                        ? String.format(Locale.ROOT, "%s", v.numberValue()) : v.asText());
            }
            csv.append('\n');
        }
        AtomicFiles.writeString(fs, new Path(dir, JSONL), jsonl.toString());
        AtomicFiles.writeString(fs, new Path(dir, CSV), csv.toString());
    }
}
