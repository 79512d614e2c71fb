package io.sparkalex.data;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * A split's CSV rows read as labelled images on an executor (the cache build and
 * {@code evaluate} both): each row's path checked against the image root before anything is
 * opened, its label looked up, the file read, decoded and scaled; every unusable row counted in
 * the {@link DataReport} with its {@link SkipReason}, never thrown.
 */
public final class LabelledImages {
    private final Iterator<Row> rows;
    private final FileSystem fs;
    private final Path root;
    private final Map<String, Integer> classIndex;
    private final int side;
    private final long maxImageBytes;
    private final DataReport report;

    /** A usable row: its file name, class index and the image's centre square, {@code side} pixels wide. */
    public record Image(String filename, int classId, ImageFiles.Loaded loaded) {
    }

    public LabelledImages(Iterator<Row> rows, FileSystem fs, Path root, Map<String, Integer> classIndex, int side,
                          long maxImageBytes, DataReport report) {
        this.rows = rows;
        this.fs = fs;
        this.root = root;
        this.classIndex = classIndex;
        this.side = side;
        this.maxImageBytes = maxImageBytes;
        this.report = report;
    }

    /** The next usable row's image, counted as used; null after the last row. */
    public Image next() throws IOException {
        while (rows.hasNext()) {
            Row row = rows.next();
            String filename = row.getAs(SplitTable.FILENAME);
            Path path = ImageFiles.safePath(fs, root, filename);
            if (path == null) {   // first: never opened
                report.countSkipped(SkipReason.UNSAFE_PATH, String.valueOf(filename), null);
                continue;
            }
            String label = row.getAs(SplitTable.LABEL);
            Integer classId = label == null ? null : classIndex.get(label);
            if (classId == null) {
                report.countSkipped(label == null ? SkipReason.NO_LABEL : SkipReason.UNKNOWN_CLASS, filename, label);
                continue;
            }
            ImageFiles.Loaded image = ImageFiles.read(fs, path, side, maxImageBytes);
            if (!image.ok()) {
                report.countSkipped(image.reason(), filename, image.detail());
                continue;
            }
            report.countUsed();
            return new Image(filename, classId, image);
        }
        return null;
    }
}
