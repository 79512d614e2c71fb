package io.sparkalex.train;

import io.sparkalex.data.SplitTable;
import org.apache.spark.sql.Row;

import java.util.List;

/** A calibration run's CSV: sampled rows of the user's (filename, split, label), quoted where needed. */
final class SampleCsv {
    private SampleCsv() {
    }

    static String of(List<Row> train, List<Row> val) {
        StringBuilder csv = new StringBuilder(SplitTable.FILENAME + "," + SplitTable.SPLIT + "," + SplitTable.LABEL + "\n");
        for (List<Row> rows : List.of(train, val)) {
            for (Row r : rows) {
                csv.append(field(r.getString(0))).append(',').append(field(r.getString(1))).append(',')
                        .append(field(r.getString(2))).append('\n');
            }
        }
        return csv.toString();
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; null is empty. */
    static String field(String value) {
        if (value == null) {
            return "";
        }
        boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0;
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }
}
