package io.sparkalex.predict;

import io.sparkalex.eval.ModelBroadcast;
import io.sparkalex.monitor.JobProgress;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;

/**
 * {@code predict} on Spark: the inputs spread over the executors, each task scoring its images
 * ({@link PredictImages}), written as a Parquet table ({@value #PARQUET} in the output
 * directory, schema {@link Prediction#SCHEMA}) and, when asked, as one CSV ({@value #CSV}).
 * Logs the images scored of the total, their rate and ETA ({@link JobProgress}).
 */
public final class BulkPrediction {
    public static final String PARQUET = "predictions.parquet";
    public static final String CSV = "predictions.csv";

    /** How many images were scored and how many have an error instead. */
    public record Counts(long images, long errors) {
    }

    private BulkPrediction() {
    }

    public static Counts run(Dataset<Row> inputs, MultiLayerNetwork network, Predictor.Settings settings,
                             String out, boolean csvToo) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(inputs.sparkSession().sparkContext());
        try (ModelBroadcast model = ModelBroadcast.of(sc, network)) {
            JobProgress progress = JobProgress.start(sc.sc(), "predicting images", inputs.count(),
                    JobProgress.DEFAULT_INTERVAL_SECONDS);
            Dataset<Row> predictions = inputs.repartition(sc.defaultParallelism())
                    .mapPartitions(new PredictImages(model, settings, new SerializableConfiguration(sc.hadoopConfiguration()),
                            progress.counter()), Encoders.row(Prediction.SCHEMA))
                    .cache();
            try {
                try (progress) {   // the images are scored while the Parquet table is written
                    predictions.write().mode(SaveMode.Overwrite).parquet(new Path(out, PARQUET).toString());
                }
                if (csvToo) {
                    flat(predictions).coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true")
                            .csv(new Path(out, CSV).toString());
                }
                return new Counts(predictions.count(), predictions.where(col("error").isNotNull()).count());
            } finally {
                predictions.unpersist();
            }
        }
    }

    /** The CSV's columns: the top class in its own columns, the top-k lists joined with ';'. */
    static Dataset<Row> flat(Dataset<Row> predictions) {
        return predictions.select(col("path"),
                element_at(col("top_ids"), 1).as("top1_id"),
                element_at(col("top_names"), 1).as("top1_name"),
                element_at(col("top_probs"), 1).as("top1_prob"),
                array_join(col("top_ids"), ";").as("top_ids"),
                array_join(col("top_names"), ";").as("top_names"),
                array_join(col("top_probs").cast("array<string>"), ";").as("top_probs"),
                col("error"));
    }
}
