package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.Augmentation;
import io.sparkalex.data.CachedData;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.data.DataQualityGate;
import io.sparkalex.data.ImageCache;
import io.sparkalex.data.SplitTable;
import io.sparkalex.storage.BuildInfo;
import io.sparkalex.storage.DataProfile;
import io.sparkalex.storage.Provenance;
import io.sparkalex.storage.Uris;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run trains on and where it came from: the decoded-image cache (built on the executors
 * if needed, reported on and gated), the data's profile (for drift checks), the augmentation the
 * configuration switches on, and the provenance every checkpoint saves.
 */
final class RunInputs {
    private static final Logger log = LoggerFactory.getLogger(RunInputs.class);

    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final JobConfig config;
    private final Locations where;

    RunInputs(SparkSession spark, JobConfig config, Locations where) {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.config = config;
        this.where = where;
    }

    /** Opens the image cache (building it on the executors if needed), reports on the rows, and gates. */
    CachedData openCache(RunDirectory run, SplitTable table, ClassIndex classes, String csvSha256, int workers)
            throws IOException {
        run.clearWorkDir();
        int tasks = config.decodePartitions > 0 ? config.decodePartitions : 4 * workers;
        CachedData data = new ImageCache(spark, new ImageCache.Settings(run.cacheDir(config.cacheDir), where.images(),
                config.resizeSize, ImageCache.JPEG_QUALITY, ImageCache.SHARD_SIZE, tasks, config.maxImageBytes,
                config.progressIntervalSeconds))
                .open(table, classes, csvSha256);
        DataQualityGate gate = new DataQualityGate(config.maxBadFraction);
        run.writeDataReport(gate.report(data, Uris.redact(where.csv()), Uris.redact(where.images())));
        log.info("data: {}", data.overall().summary());
        gate.check(data, run.dataReport().toString());
        return data;
    }

    /** Class counts (from the CSV) and unusable-row shares (from the cache build) of this run's data. */
    static DataProfile profile(SplitTable table, CachedData data) {
        Map<String, Double> bad = new TreeMap<>();
        data.splits().forEach((name, split) -> bad.put(name, split.report().badFraction()));
        bad.put(DataProfile.OVERALL, data.overall().badFraction());
        return new DataProfile(table.classCounts(), bad);
    }

    /** The training-time augmentation the configuration switches on. */
    Augmentation augmentation() {
        return new Augmentation(config.augmentCrop, config.augmentFlip, config.augmentColour, config.augmentMinScale);
    }

    /** The job's build, the CSV (hashed once per run) and this Spark application; saved with every checkpoint. */
    Provenance provenance(SplitTable table, String csvSha256, String warmStartedFrom) throws IOException {
        BuildInfo build = BuildInfo.current();
        return new Provenance(build.version(), build.gitCommit(), qualified(where.csv()),
                csvSha256, table.counts(), qualified(where.images()),
                Instant.now().toString(), build.dl4jVersion(), build.nd4jBackend(), spark.version(),
                System.getProperty("java.version"), Uris.redact(sc.master()), sc.sc().applicationId(),
                warmStartedFrom == null ? null : Uris.redact(warmStartedFrom));
    }

    /**
     * A URI with its scheme and, for local paths, made absolute (provenance must name the file
     * wherever it is read), without credentials.
     */
    private String qualified(String uri) throws IOException {
        Path path = new Path(uri);
        return Uris.redact(path.getFileSystem(sc.hadoopConfiguration()).makeQualified(path).toString());
    }
}
