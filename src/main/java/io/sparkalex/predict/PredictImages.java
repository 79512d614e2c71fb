package io.sparkalex.predict;

import io.sparkalex.data.ImageFiles;
import io.sparkalex.eval.ModelBroadcast;
import io.sparkalex.monitor.JobProgress;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/**
 * Executor side of a bulk {@code predict}: rows of {@code (path, root)} in, rows of
 * {@link Prediction#SCHEMA} out. With a root (the CSV case) the path is a CSV file name resolved
 * under it and kept inside it, as in training; without one it is a URI the user listed. Each row
 * is counted into {@code done} as it is taken (the driver's progress line).
 */
public record PredictImages(ModelBroadcast model, Predictor.Settings settings, SerializableConfiguration hadoop,
                     LongAccumulator done) implements MapPartitionsFunction<Row, Row> {
    static final String PATH = "path";
    static final String ROOT = "root";

    @Override
    public Iterator<Row> call(Iterator<Row> partition) {
        Iterator<Row> rows = JobProgress.counting(partition, done);
        if (!rows.hasNext()) {
            return List.<Row>of().iterator();
        }
        Configuration conf = hadoop.value();
        Iterator<Predictor.Input> inputs = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Predictor.Input next() {
                Row row = rows.next();
                return input(row.getAs(PATH), row.getAs(ROOT), conf);
            }
        };
        return new Predictor(model.network(), settings).predict(inputs).stream().map(Prediction::toRow).iterator();
    }

    /** Where an image is; a name Hadoop cannot parse or whose file system cannot be reached is that row's error. */
    public static Predictor.Input input(String name, String root, Configuration conf) {
        try {
            if (root == null) {
                Path path = new Path(name);
                return Predictor.Input.at(name, ImageFiles.fileSystem(path, conf), path);
            }
            Path rootPath = new Path(root);
            FileSystem fs = ImageFiles.fileSystem(rootPath, conf);
            return Predictor.Input.at(name, fs, ImageFiles.safePath(fs, rootPath, name));
        } catch (IOException | IllegalArgumentException e) {
            return Predictor.Input.refused(name, "read_error: " + e.getMessage());
        }
    }
}
