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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Driver side of data preparation: hands each split's rows to the executors, which decode them
 * into minibatch files ({@link DecodeToBatches}), and collects what they report. Rows are shuffled
 * before batching so that a minibatch mixes classes even when the CSV is sorted by class.
 */
public final class DataPreparation {
    private static final Logger log = LoggerFactory.getLogger(DataPreparation.class);

    private final SparkSession spark;
    private final String imageRoot;
    private final Path workDir;
    private final int imageSize;
    private final int batchSize;
    private final int partitions;
    private final long seed;

    public DataPreparation(SparkSession spark, String imageRoot, Path workDir, int imageSize, int batchSize,
                           int partitions, long seed) {
        this.spark = spark;
        this.imageRoot = imageRoot;
        this.workDir = workDir;
        this.imageSize = imageSize;
        this.batchSize = batchSize;
        this.partitions = partitions;
        this.seed = seed;
    }

    /**
     * Deals the shuffled rows out to the decode tasks a whole minibatch at a time (rows 0-31 to
     * task 0, 32-63 to task 1, ...), so every task writes full batches and only the very last
     * batch of a split can be short. Plain round-robin left one short batch per task, which
     * unbalanced the workers of an averaging round.
     */
    private JavaRDD<Row> inWholeBatches(JavaRDD<Row> shuffled) {
        int batch = batchSize;
        int tasks = partitions;
        return shuffled.zipWithIndex()
                .mapToPair(t -> new Tuple2<>((int) ((t._2() / batch) % tasks), t._1()))
                .partitionBy(new HashPartitioner(tasks))
                .values();
    }

    /** The decoded splits (in train, val, test order) and how fast the executors decoded. */
    public record Prepared(Map<String, PreparedSplit> splits, long decodedImages, long decodeNanos) {
        /** Decode + resize + normalise rate of one executor core. */
        public double imagesPerSecondPerCore() {
            return decodeNanos == 0 ? Double.NaN : decodedImages / (decodeNanos / 1e9);
        }
    }

    /** Decodes every non-empty split on the executors. */
    public Prepared prepare(SplitTable table, ClassIndex classes) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path root = new Path(imageRoot);
        FileSystem fs = root.getFileSystem(conf);
        if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
            throw new DataError("image root " + imageRoot + " does not exist or is not a directory");
        }
        Map<String, PreparedSplit> out = new LinkedHashMap<>();
        long decoded = 0;
        long nanos = 0;
        for (String split : SplitTable.SPLITS) {
            if (table.count(split) == 0) {
                continue;
            }
            Path dir = new Path(workDir, split);
            spark.sparkContext().setJobDescription("decode " + split + " images into minibatches");
            List<DecodedPartition> parts = inWholeBatches(table.split(split).orderBy(functions.rand(seed)).javaRDD())
                    .mapPartitionsWithIndex(new DecodeToBatches(imageRoot, dir.toString(), imageSize, batchSize,
                            classes.indexById(), conf), false)
                    .collect();
            DataReport report = new DataReport();
            List<BatchFile> batches = new java.util.ArrayList<>();
            for (DecodedPartition p : parts) {
                report.merge(p.report());
                batches.addAll(p.batches());
                nanos += p.decodeNanos();
            }
            decoded += report.used();
            out.put(split, new PreparedSplit(split, List.copyOf(batches), report));
            log.info("{}: {}", split, report.summary());
        }
        spark.sparkContext().setJobDescription(null);
        Prepared prepared = new Prepared(out, decoded, nanos);
        log.info("decoded {} images at {} images/s per core (decode + resize + normalise)",
                decoded, String.format("%.1f", prepared.imagesPerSecondPerCore()));
        return prepared;
    }
}
