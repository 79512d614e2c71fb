package io.sparkalex.ml;

import io.sparkalex.data.DataError;
import io.sparkalex.data.SplitTable;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.FileDigest;
import io.sparkalex.train.Locations;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * The DataFrame {@code fit} is given, turned into the input {@code train} reads (the reference
 * layout: a CSV of {@code filename, split, label} and an image root), so that {@code fit} trains
 * through the same {@code TrainingJob} as the command line: its checks, cache, every image every
 * epoch, checkpoints, resume and lease. Written under {@code <checkpointDir>/_input/} (a name
 * {@code train} leaves alone): the CSV sorted by file name, so the same DataFrame writes the same
 * bytes and a rerun finds its image cache and resumes. Images held in the DataFrame are staged
 * there as files by the executors ({@link StageImages}); paths are used where they are.
 */
final class TrainingInput {
    static final String DIR = "_input";
    static final String CSV = "split.csv";
    static final String STAGED = "images";

    /**
     * How the DataFrame is read.
     *
     * @param validationIndicator a boolean column, true for validation rows; empty: {@code validationFraction}
     *                            of the rows, chosen by a hash of the image (the same rows on every run)
     */
    record Columns(ImageColumn kind, String image, String label, String validationIndicator,
                   double validationFraction, long seed) {
    }

    private TrainingInput() {
    }

    /** Writes the CSV (and stages the images when the DataFrame holds them); where {@code train} reads them. */
    static Locations write(Dataset<Row> df, Columns c, String imagesRoot, String checkpointDir, Configuration hadoop)
            throws IOException {
        Path dir = new Path(checkpointDir, DIR);
        FileSystem fs = AtomicFiles.fileSystem(dir, hadoop);
        Column label = label(df, c.label());
        if (df.schema().apply(c.label()).dataType() instanceof NumericType) {
            checkIndices(df, c);
        }
        Dataset<Row> rows = df.select(col(c.image()), label.as(SplitTable.LABEL),
                split(c).as(SplitTable.SPLIT));
        String root;
        if (c.kind() == ImageColumn.PATHS) {
            if (imagesRoot.isBlank()) {
                throw new DataError("fit reads image paths relative to imagesRoot: set it, or give the images' "
                        + "content (binaryFile source) or image structs (image source)");
            }
            rows = rows.withColumnRenamed(c.image(), SplitTable.FILENAME);
            root = imagesRoot;
        } else {
            Path staged = fs.makeQualified(new Path(dir, STAGED));
            fs.mkdirs(staged);
            StructType schema = new StructType().add(SplitTable.FILENAME, DataTypes.StringType)
                    .add(SplitTable.LABEL, DataTypes.StringType).add(SplitTable.SPLIT, DataTypes.StringType);
            rows = rows.mapPartitions(new StageImages(c.kind(), staged.toString(), new SerializableConfiguration(hadoop)),
                    Encoders.row(schema));
            root = staged.toString();
        }
        Path csv = new Path(dir, CSV);
        writeCsv(rows.select(SplitTable.FILENAME, SplitTable.SPLIT, SplitTable.LABEL), fs, dir, csv);
        return new Locations(fs.makeQualified(csv).toString(), root, checkpointDir, null);
    }

    /** String labels as they are; whole-number labels (already indexed) as zero-padded text, so sorting keeps their order. */
    private static Column label(Dataset<Row> df, String label) {
        DataType type = df.schema().apply(label).dataType();
        if (type.equals(DataTypes.StringType)) {
            return col(label);
        }
        if (!(type instanceof NumericType)) {
            throw new DataError("label column '" + label + "' is " + type.simpleString()
                    + "; expected strings or class indices (0, 1, ...)");
        }
        Row range = df.agg(org.apache.spark.sql.functions.max(col(label)),
                org.apache.spark.sql.functions.count(when(col(label).lt(0)
                        .or(col(label).notEqual(org.apache.spark.sql.functions.floor(col(label)))), 1))).first();
        if (range.getLong(1) > 0) {
            throw new DataError("label column '" + label + "' holds " + range.getLong(1)
                    + " value(s) that are not class indices (whole numbers from 0)");
        }
        long max = range.isNullAt(0) ? 0 : (long) ((Number) range.get(0)).doubleValue();
        return org.apache.spark.sql.functions.lpad(col(label).cast("long").cast("string"),
                String.valueOf(max).length(), "0");
    }

    /**
     * Class indices must be the network's outputs as they are: 0 to K-1, each in the train split
     * (the classes are the train split's labels, sorted; a gap would shift every index above it).
     */
    private static void checkIndices(Dataset<Row> df, Columns c) {
        List<Long> seen = new ArrayList<>();
        for (Row r : df.filter(split(c).equalTo("train").and(col(c.label()).isNotNull()))
                .select(col(c.label()).cast("long")).distinct().collectAsList()) {
            seen.add(r.getLong(0));
        }
        java.util.Collections.sort(seen);
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) != i) {
                throw new DataError("label column '" + c.label() + "' holds class indices, but class " + i
                        + " has no training row (the train split's indices are " + seen + "); index the labels "
                        + "from the training rows, or give them as strings");
            }
        }
    }

    private static Column split(Columns c) {
        Column validation = c.validationIndicator().isBlank()
                ? org.apache.spark.sql.functions.pmod(org.apache.spark.sql.functions.xxhash64(lit(c.seed()),
                        col(c.image())), lit(1_000_000L)).lt(Math.round(c.validationFraction() * 1_000_000))
                : col(c.validationIndicator()).equalTo(true);
        return when(validation, "val").otherwise("train");
    }

    /**
     * One CSV with a header, rows sorted by file name; rewritten (atomically) only when its bytes
     * change, so a rerun over the same DataFrame leaves it, and the image cache keyed on it, alone.
     */
    private static void writeCsv(Dataset<Row> rows, FileSystem fs, Path dir, Path csv) throws IOException {
        Path tmp = new Path(dir, "_csv-" + UUID.randomUUID());
        try {
            rows.repartition(1).sortWithinPartitions(SplitTable.FILENAME).write().mode(SaveMode.ErrorIfExists)
                    .option("header", "true").csv(tmp.toString());
            List<Path> parts = new ArrayList<>();
            for (FileStatus f : fs.listStatus(tmp, p -> p.getName().startsWith("part-"))) {
                parts.add(f.getPath());
            }
            if (parts.size() != 1) {
                throw new IOException("expected one CSV part file in " + tmp + ", found " + parts.size());
            }
            if (fs.exists(csv) && FileDigest.sha256(fs.makeQualified(parts.get(0)).toString(), fs.getConf())
                    .equals(FileDigest.sha256(fs.makeQualified(csv).toString(), fs.getConf()))) {
                return;
            }
            AtomicFiles.write(fs, csv, out -> {
                try (InputStream in = fs.open(parts.get(0))) {
                    in.transferTo(out);
                }
            });
        } finally {
            fs.delete(tmp, true);
        }
    }
}
