package io.sparkalex.eval;

import io.sparkalex.data.DataReport;
import io.sparkalex.data.LabelledImages;
import io.sparkalex.data.ImageFiles;
import io.sparkalex.data.Pixels;
import io.sparkalex.monitor.JobProgress;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Executor side of {@code evaluate}: reads a partition's CSV rows' images straight from the image
 * root (no cache: a test split is read once), scores them a minibatch at a time and returns the
 * sums with a count of every row it could not use. Rows go through {@link ImageFiles}, as when
 * the cache is built, so a file is skipped for the same reasons. Each row is counted into
 * {@code done} as it is taken (the driver's progress line).
 */
record EvaluateFiles(ModelBroadcast model, String imageRoot, Map<String, Integer> classIndex, int imageSize,
                     int resizeSize, int crops, int batchSize, long maxImageBytes, SerializableConfiguration hadoop,
                     LongAccumulator done) implements FlatMapFunction<Iterator<Row>, FileEvaluation> {

    @Override
    public Iterator<FileEvaluation> call(Iterator<Row> partition) throws IOException {
        Iterator<Row> rows = JobProgress.counting(partition, done);
        DataReport report = new DataReport();
        if (!rows.hasNext()) {
            return List.of(new FileEvaluation(EvalResult.EMPTY, report)).iterator();
        }
        Path root = new Path(imageRoot);
        FileSystem fs = ImageFiles.fileSystem(root, hadoop.value());
        EvalResult[] total = {EvalResult.EMPTY};
        BatchedInference<Integer> batches = new BatchedInference<>(
                new CropInference(model.network(), imageSize, crops), batchSize, (labels, p) ->
                total[0] = total[0].plus(EvalResult.score(p, labels.stream().mapToInt(Integer::intValue).toArray())));
        LabelledImages images = new LabelledImages(rows, fs, root, classIndex, resizeSize, maxImageBytes, report);
        for (LabelledImages.Image image = images.next(); image != null; image = images.next()) {
            batches.add(image.classId(), Pixels.of(image.loaded().square()));
        }
        batches.flush();
        return List.of(new FileEvaluation(total[0], report)).iterator();
    }
}
