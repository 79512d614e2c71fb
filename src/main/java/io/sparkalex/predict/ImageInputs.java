package io.sparkalex.predict;

import io.sparkalex.data.DataError;
import io.sparkalex.data.SplitTable;
import io.sparkalex.storage.Uris;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;

/**
 * What {@code predict} is asked to score: image files and folders named on the command line
 * (folders searched recursively for image files), or the {@code filename} column of a CSV,
 * resolved under an image root. As a Spark table the inputs are rows of {@code (path, root)}
 * ({@link PredictImages}).
 */
public final class ImageInputs {
    /** File name endings a folder is searched for (what the decoders read). */
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");
    static final StructType SCHEMA = new StructType()
            .add(PredictImages.PATH, DataTypes.StringType, false)
            .add(PredictImages.ROOT, DataTypes.StringType, true);

    private ImageInputs() {
    }

    /**
     * The files named (as named) and the image files under the folders named (as URIs), each
     * folder's in sorted order. A name that does not exist is kept: its row will say {@code missing_file}.
     */
    public static List<String> list(List<String> paths, Configuration conf) throws IOException {
        List<String> files = new ArrayList<>();
        for (String p : paths) {
            Path path = new Path(p);
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path) || !fs.getFileStatus(path).isDirectory()) {
                files.add(p);
                continue;
            }
            List<String> found = new ArrayList<>();
            for (RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true); it.hasNext(); ) {
                FileStatus f = it.next();
                if (isImageName(f.getPath().getName())) {
                    found.add(f.getPath().toString());
                }
            }
            found.sort(null);
            files.addAll(found);
        }
        return files;
    }

    static boolean isImageName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".") && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Listed files as input rows (no root: the user named them). */
    public static Dataset<Row> ofFiles(SparkSession spark, List<String> files) {
        return spark.createDataFrame(files.stream().map(f -> RowFactory.create(f, null)).toList(), SCHEMA);
    }

    /**
     * The {@code filename} column of a CSV as input rows under {@code imageRoot}, only the rows of
     * {@code split} when given (the CSV then needs a {@code split} column).
     */
    public static Dataset<Row> ofCsv(SparkSession spark, String csvUri, String imageRoot, String split) {
        Dataset<Row> raw = SplitTable.readCsv(spark, csvUri);
        List<String> columns = List.of(raw.columns());
        if (!columns.contains(SplitTable.FILENAME)) {
            throw new DataError("CSV " + Uris.redact(csvUri) + " needs a 'filename' column; found " + columns);
        }
        if (split != null) {
            if (!columns.contains(SplitTable.SPLIT)) {
                throw new DataError("--split " + split + ": CSV " + Uris.redact(csvUri) + " has no 'split' column");
            }
            raw = raw.where(lower(SplitTable.clean(col(SplitTable.SPLIT))).equalTo(split.toLowerCase(Locale.ROOT)));
        }
        return raw.select(SplitTable.clean(col(SplitTable.FILENAME)).as(PredictImages.PATH), lit(imageRoot).as(PredictImages.ROOT))
                .where(col(PredictImages.PATH).isNotNull());
    }
}
