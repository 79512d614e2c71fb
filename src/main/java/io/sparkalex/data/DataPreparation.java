package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /** Decodes every non-empty split; the result keeps the CSV's split order (train, val, test). */
    public Map<String, PreparedSplit> prepare(SplitTable table, ClassIndex classes) throws IOException {
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
            List<DecodedPartition> parts = table.split(split)
                    .repartition(partitions)
                    .sortWithinPartitions(functions.rand(seed))
                    .javaRDD()
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
        if (nanos > 0) {
            log.info("decoded {} images at {} images/s per core (decode + resize + normalise)",
                    decoded, String.format("%.1f", decoded / (nanos / 1e9)));
        }
        return out;
    }
}
