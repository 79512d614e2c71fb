package io.sparkalex.data;

import io.sparkalex.storage.Uris;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * The data set's CSV read by the driver with Spark SQL: one row per image with {@code filename},
 * {@code split} and {@code label}. Accepts the reference script's pandas layout (an unnamed index column
 * first) and an optional {@code label} column; without it the label is the text before the first
 * {@code _} of the file name (the reference script's WordNet-id rule). Structural problems are a
 * {@link DataError} that names the file and the offending value, raised before any image is read.
 */
public final class SplitTable {
    public static final String FILENAME = "filename";
    public static final String SPLIT = "split";
    public static final String LABEL = "label";
    public static final List<String> SPLITS = List.of("train", "val", "test");

    private final String source;
    private final Dataset<Row> rows;
    private final Map<String, Long> counts;

    private SplitTable(String source, Dataset<Row> rows, Map<String, Long> counts) {
        this.source = source;
        this.rows = rows;
        this.counts = counts;
    }

    /**
     * A CSV with a header row, as strings, its columns named as {@link #columnNames} cleans them;
     * one that cannot be read is a {@link DataError} naming it without credentials.
     */
    public static Dataset<Row> readCsv(SparkSession spark, String csvUri) {
        Dataset<Row> raw;
        try {
            raw = spark.read().option("header", "true").option("mode", "FAILFAST").csv(csvUri);
        } catch (Exception e) {
            throw new DataError("cannot read CSV " + Uris.redact(csvUri) + ": " + rootMessage(e));
        }
        return raw.toDF(columnNames(raw).toArray(new String[0]));
    }

    /** Reads and checks the CSV; one small Spark job counts the rows per split. */
    public static SplitTable read(SparkSession spark, String csvUri) {
        Dataset<Row> raw = readCsv(spark, csvUri);
        List<String> columns = List.of(raw.columns());
        if (!columns.contains(FILENAME) || !columns.contains(SPLIT)) {
            throw new DataError("CSV " + Uris.redact(csvUri) + " needs a header with 'filename' and 'split' columns; found "
                    + columns);
        }
        Column filename = clean(col(FILENAME));
        Column label = columns.contains(LABEL)
                ? functions.when(functions.length(clean(col(LABEL))).gt(0), clean(col(LABEL)))
                : labelFromFileName(filename);
        Dataset<Row> rows = raw.select(
                filename.as(FILENAME),
                functions.lower(clean(col(SPLIT))).as(SPLIT),
                label.as(LABEL));

        Map<String, Long> counts = new TreeMap<>();
        try {
            for (Row r : rows.groupBy(SPLIT).count().collectAsList()) {
                String split = r.getAs(SPLIT);
                counts.put(split == null ? "" : split, r.<Long>getAs("count"));
            }
        } catch (Exception e) {
            throw new DataError("malformed CSV " + Uris.redact(csvUri) + ": " + rootMessage(e));
        }
        SplitTable table = new SplitTable(Uris.redact(csvUri), rows, counts);
        table.checkStructure();
        return table;
    }

    /**
     * The header's column names, trimmed, without the byte-order mark that Windows tools write at
     * the start of a UTF-8 file (Spark keeps it, and the first column would not be found).
     */
    public static List<String> columnNames(Dataset<Row> raw) {
        return Arrays.stream(raw.columns()).map(c -> c.replace("\uFEFF", "").trim()).toList();
    }

    /** A cell without surrounding blanks, tabs or the carriage return of a CRLF line end. */
    public static Column clean(Column c) {
        return functions.trim(c, " \t\r");
    }

    /** The reference script's rule: the base name up to the first '_', or null when there is no such prefix. */
    static Column labelFromFileName(Column filename) {
        Column base = functions.substring_index(filename, "/", -1);
        return functions.when(functions.instr(base, "_").gt(1), functions.substring_index(base, "_", 1));
    }

    private void checkStructure() {
        if (counts.isEmpty()) {
            throw new DataError("CSV " + source + " has a header but no rows");
        }
        for (String split : counts.keySet()) {
            if (!SPLITS.contains(split)) {
                Row example = rows.filter(split.isEmpty() ? col(SPLIT).isNull() : col(SPLIT).equalTo(split)).first();
                throw new DataError("CSV " + source + ": unknown split value '" + split + "' (row with filename '"
                        + example.<String>getAs(FILENAME) + "'); allowed: " + SPLITS);
            }
        }
        for (String required : List.of("train", "val")) {
            if (count(required) == 0) {
                throw new DataError("CSV " + source + ": the '" + required + "' split is empty");
            }
        }
        List<Row> duplicates = rows.groupBy(FILENAME).count().filter(col("count").gt(1)).limit(5).collectAsList();
        if (!duplicates.isEmpty()) {
            Row first = duplicates.get(0);
            throw new DataError("CSV " + source + ": duplicate file names, e.g. '" + first.getAs(FILENAME)
                    + "' appears " + first.getAs("count") + " times");
        }
    }

    /** The sorted set of labels in the train split; val/test labels outside it are an error. */
    public ClassIndex classes(Map<String, String> names) {
        List<String> ids = new ArrayList<>();
        for (Row r : rows.filter(col(SPLIT).equalTo("train").and(col(LABEL).isNotNull()))
                .select(LABEL).distinct().collectAsList()) {
            ids.add(r.getAs(LABEL));
        }
        if (ids.size() < 2) {
            throw new DataError("CSV " + source + ": the train split has " + ids.size()
                    + " labelled class(es); at least 2 are needed");
        }
        List<Row> strangers = rows.filter(col(SPLIT).notEqual("train").and(col(LABEL).isNotNull())
                .and(functions.not(col(LABEL).isin(ids.toArray())))).limit(1).collectAsList();
        if (!strangers.isEmpty()) {
            Row r = strangers.get(0);
            throw new DataError("CSV " + source + ": label '" + r.getAs(LABEL) + "' of " + r.getAs(SPLIT) + " row '"
                    + r.getAs(FILENAME) + "' does not occur in the train split");
        }
        return new ClassIndex(ids, names);
    }

    /** Rows of one split: filename, split, label (label may be null when the name has none). */
    public Dataset<Row> split(String name) {
        return rows.filter(col(SPLIT).equalTo(name.toLowerCase(Locale.ROOT)));
    }

    /** Labelled rows per class per split ({@code split -> label -> rows}): the data's shape, for drift checks. */
    public Map<String, Map<String, Long>> classCounts() {
        Map<String, Map<String, Long>> out = new java.util.TreeMap<>();
        for (Row r : rows.filter(col(LABEL).isNotNull()).groupBy(SPLIT, LABEL).count().collectAsList()) {
            out.computeIfAbsent(r.getAs(SPLIT), k -> new java.util.TreeMap<>()).put(r.getAs(LABEL), r.getAs("count"));
        }
        return out;
    }

    public long count(String split) {
        return counts.getOrDefault(split, 0L);
    }

    public Map<String, Long> counts() {
        return new HashMap<>(counts);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.split("\\R")[0];
    }
}
