package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Driver side of data preparation: hands each split's rows to the executors, which decode them
 * into minibatch files ({@link DecodeToBatches}), and collects what they report. Rows are shuffled
 * before batching so that a minibatch mixes classes even when the CSV is sorted by class.
 */
public final class DataPreparation {
    /** The Spark job group of the decode jobs, for anyone who measures them (bench/run). */
    public static final String JOB_GROUP = "sparkalex-decode";
    private static final Logger log = LoggerFactory.getLogger(DataPreparation.class);

    /** Where the images are and how they become minibatches. */
    public record Settings(String imageRoot, Path workDir, int imageSize, int batchSize, int tasks, long seed) {
    }

    private final SparkSession spark;
    private final Settings settings;

    public DataPreparation(SparkSession spark, Settings settings) {
        this.spark = spark;
        this.settings = settings;
    }

    /** Decodes every non-empty split on the executors. */
    public PreparedData prepare(SplitTable table, ClassIndex classes) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path root = new Path(settings.imageRoot());
        FileSystem fs = root.getFileSystem(conf);
        if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
            throw new DataError("image root " + settings.imageRoot() + " does not exist or is not a directory");
        }
        long start = System.nanoTime();
        Map<String, PreparedSplit> out = new LinkedHashMap<>();
        for (String split : SplitTable.SPLITS) {
            if (table.count(split) > 0) {
                spark.sparkContext().setJobGroup(JOB_GROUP, "decode " + split + " images into minibatches", false);
                out.put(split, decode(split, table, classes, conf));
            }
        }
        spark.sparkContext().clearJobGroup();
        PreparedData prepared = new PreparedData(out);
        long used = prepared.overall().used();
        double seconds = (System.nanoTime() - start) / 1e9;
        log.info(String.format(Locale.ROOT, "decoded %d images in %.1f s (%.1f images/s)", used, seconds,
                used / seconds));
        return prepared;
    }

    private PreparedSplit decode(String split, SplitTable table, ClassIndex classes, Configuration conf) {
        Path dir = new Path(settings.workDir(), split);
        JavaRDD<Row> shuffled = table.split(split).orderBy(functions.rand(settings.seed())).javaRDD();
        List<DecodedPartition> parts = inWholeBatches(shuffled)
                .mapPartitionsWithIndex(new DecodeToBatches(settings.imageRoot(), dir.toString(),
                        settings.imageSize(), settings.batchSize(), classes.indexById(), conf), false)
                .collect();
        DataReport report = new DataReport();
        List<BatchFile> batches = new ArrayList<>();
        for (DecodedPartition p : parts) {
            report.merge(p.report());
            batches.addAll(p.batches());
        }
        log.info("{}: {}", split, report.summary());
        return new PreparedSplit(split, List.copyOf(batches), report);
    }

    /** Sends each shuffled row to the decode task {@link #taskOf} names. */
    private JavaRDD<Row> inWholeBatches(JavaRDD<Row> shuffled) {
        int batch = settings.batchSize();
        int tasks = settings.tasks();
        return shuffled.zipWithIndex()
                .mapToPair(t -> new Tuple2<>(taskOf(t._2(), batch, tasks), t._1()))
                .partitionBy(new HashPartitioner(tasks))
                .values();
    }

    /**
     * Deals rows to decode tasks a whole minibatch at a time (rows 0-31 to task 0, 32-63 to task
     * 1, ...), so every task writes full batches and only the very last batch of a split can be
     * short. Plain round-robin left one short batch per task, which unbalanced the workers of an
     * averaging round.
     */
    static int taskOf(long row, int batchSize, int tasks) {
        return (int) ((row / batchSize) % tasks);
    }
}
