package io.sparkalex.eval;

import io.sparkalex.data.DataReport;
import io.sparkalex.monitor.JobProgress;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Driver side of {@code evaluate}: scores a saved model on a split's CSV rows, reading the images
 * on the executors ({@link EvaluateFiles}), and merges their sums, in partition order, into one report,
 * logging the rows scored, their rate and ETA ({@link JobProgress}) on the way.
 */
public record FileEvaluator(JavaSparkContext sc, int partitions) {

    /** @param rows the split's rows ({@code filename}, {@code label}); {@code crops} 1 or 10 */
    public EvaluationReport evaluate(SavedModel model, Dataset<Row> rows, String imageRoot, String split, int crops) {
        try (ModelBroadcast broadcast = ModelBroadcast.of(sc, model.network());
             JobProgress progress = JobProgress.start(sc.sc(), "scoring " + split + " images", rows.count(),
                     JobProgress.DEFAULT_INTERVAL_SECONDS)) {
            ModelInput in = model.input();
            EvaluateFiles task = new EvaluateFiles(broadcast, imageRoot, model.indexById(), in.imageSize(),
                    in.resizeSize(), crops, in.batchSize(), in.maxImageBytes(),
                    new SerializableConfiguration(sc.hadoopConfiguration()), progress.counter());
            FileEvaluation total = rows.javaRDD().repartition(partitions).mapPartitions(task).collect().stream()
                    .reduce(new FileEvaluation(EvalResult.EMPTY, new DataReport()), FileEvaluation::plus);
            return EvaluationReport.of(io.sparkalex.storage.Uris.redact(model.uri()), split, crops, total.result(), model.classes(), model.names(),
                    total.rows().counts());
        }
    }
}
