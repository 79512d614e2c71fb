package io.sparkalex.data;

import io.sparkalex.monitor.JobProgress;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.FileDigest;
import io.sparkalex.storage.Uris;
import io.sparkalex.storage.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The decoded-image cache: every usable image of the CSV decoded once, scaled to a square of
 * {@code resize_size} and stored as JPEG in shards ({@link ShardFile}) under {@code cache_dir}.
 * Built by the executors the first time; a rerun, a resume or another run over the same data
 * and settings finds {@code manifest.json} with the same key and reuses it without decoding
 * anything. A changed CSV, image root, size or format rebuilds it.
 */
public final class ImageCache {
    /** The Spark job group of the cache-building jobs, for anyone who measures them (bench/run). */
    public static final String JOB_GROUP = "sparkalex-decode";
    static final String MANIFEST = "manifest.json";
    /** JPEG quality of cached images: 0.95 keeps them visually lossless at about 1/10 of float32's bytes (bench/NOTES.md). */
    public static final float JPEG_QUALITY = 0.95f;
    /** Images per shard file: large files for the file system, small enough to rewrite on a task retry. */
    public static final int SHARD_SIZE = 256;
    /** A build folder not written to for this long was left by a run that died. */
    static final java.time.Duration STALE_BUILD = java.time.Duration.ofDays(1);
    private static final Logger log = LoggerFactory.getLogger(ImageCache.class);

    /**
     * @param resizeSize side of the cached squares
     * @param quality    JPEG quality, 0-1
     * @param shardSize  images per shard file
     * @param tasks      Spark tasks that build it
     * @param maxImageBytes image files larger than this are skipped unread
     * @param progressSeconds how often the build logs its progress
     */
    public record Settings(String dir, String imageRoot, int resizeSize, float quality, int shardSize, int tasks,
                           long maxImageBytes, long progressSeconds) {
        /** The same, progress every 30 s. */
        public Settings(String dir, String imageRoot, int resizeSize, float quality, int shardSize, int tasks,
                        long maxImageBytes) {
            this(dir, imageRoot, resizeSize, quality, shardSize, tasks, maxImageBytes, 30);
        }
    }

    private final SparkSession spark;
    private final Settings settings;
    private final Configuration hadoop;
    private final Path dir;
    private final FileSystem fs;

    public ImageCache(SparkSession spark, Settings settings) throws IOException {
        this.spark = spark;
        this.settings = settings;
        this.hadoop = spark.sparkContext().hadoopConfiguration();
        this.dir = new Path(settings.dir());
        this.fs = AtomicFiles.fileSystem(dir, hadoop);
    }

    /** The cache for this CSV's splits: reused when its key matches, built otherwise. */
    /** @param csvSha256 the CSV's digest ({@link FileDigest}), part of the cache's key */
    public CachedData open(SplitTable table, ClassIndex classes, String csvSha256) throws IOException {
        Path root = new Path(settings.imageRoot());
        FileSystem imageFs = root.getFileSystem(hadoop);
        if (!imageFs.exists(root) || !imageFs.getFileStatus(root).isDirectory()) {
            throw new DataError("image root " + Uris.redact(settings.imageRoot()) + " does not exist or is not a directory");
        }
        CacheManifest.Key key = new CacheManifest.Key(CacheManifest.FORMAT_VERSION, csvSha256,
                Uris.redact(settings.imageRoot()), settings.resizeSize(), settings.quality());
        Optional<CacheManifest> existing = readManifest();
        if (existing.isPresent() && existing.get().key().equals(key) && existing.get().classes().equals(classes.ids())) {
            log.info("reusing the image cache in {} (built {})", Uris.redact(dir.toString()), existing.get().createdAt());
            return toData(existing.get());
        }
        existing.ifPresent(m -> log.info("rebuilding the image cache in {}: it was built from {}, this run needs {}",
                Uris.redact(dir.toString()), Uris.redact(m.key().toString()), Uris.redact(key.toString())));
        CacheManifest built = build(table, classes, key);
        AtomicFiles.writeString(fs, new Path(dir, MANIFEST), Json.pretty(built) + "\n");
        removeOtherBuilds(built.build(), existing.map(CacheManifest::build).orElse(null));
        return toData(built);
    }

    private CacheManifest build(SplitTable table, ClassIndex classes, CacheManifest.Key key) throws IOException {
        String build = "build-" + UUID.randomUUID();
        long start = System.nanoTime();
        Map<String, CacheManifest.SplitEntry> splits = new LinkedHashMap<>();
        for (String split : SplitTable.SPLITS) {
            if (table.count(split) == 0) {
                continue;
            }
            Path splitDir = fs.makeQualified(new Path(new Path(dir, build), split));
            fs.mkdirs(splitDir);
            spark.sparkContext().setJobGroup(JOB_GROUP, "decode " + split + " images into the cache", false);
            List<EncodedPartition> parts;
            try (JobProgress progress = JobProgress.start(spark.sparkContext(), "caching " + split + " images",
                    table.count(split), settings.progressSeconds())) {
                parts = table.split(split).javaRDD().repartition(settings.tasks())
                        .mapPartitionsWithIndex(new EncodeToShards(settings.imageRoot(), splitDir.toString(), settings,
                                classes.indexById(), hadoop, progress.counter()), false)
                        .collect();
            }
            DataReport report = new DataReport();
            List<ShardInfo> shards = new ArrayList<>();
            for (EncodedPartition p : parts) {
                report.merge(p.report());
                shards.addAll(p.shards());
            }
            log.info("{}: {}", split, report.summary());
            splits.put(split, new CacheManifest.SplitEntry(shards, report.counts()));
        }
        spark.sparkContext().clearJobGroup();
        long images = splits.values().stream().mapToLong(s -> s.report().used()).sum();
        double seconds = (System.nanoTime() - start) / 1e9;
        log.info(String.format(Locale.ROOT, "cached %d images in %s in %.1f s (%.1f images/s)", images, Uris.redact(dir.toString()), seconds,
                images / seconds));
        return new CacheManifest(key, classes.ids(), build, splits, Instant.now().toString());
    }

    private Optional<CacheManifest> readManifest() throws IOException {
        Path manifest = new Path(dir, MANIFEST);
        if (!fs.exists(manifest)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.read(AtomicFiles.readString(fs, manifest), CacheManifest.class));
        } catch (RuntimeException e) {
            log.warn("ignoring unreadable {}: {}", Uris.redact(manifest.toString()), Uris.redact(e.toString()));
            return Optional.empty();
        }
    }

    /**
     * The build the old manifest named (replaced now), and builds nothing has written to for a day
     * (half-written by runs that died). A build of another run sharing this cache that is still
     * being written is left alone.
     */
    private void removeOtherBuilds(String keep, String replaced) throws IOException {
        long staleBefore = System.currentTimeMillis() - STALE_BUILD.toMillis();
        for (FileStatus f : fs.listStatus(dir, p -> p.getName().startsWith("build-") && !p.getName().equals(keep))) {
            if (f.getPath().getName().equals(replaced) || lastWrite(f) < staleBefore) {
                fs.delete(f.getPath(), true);
            }
        }
    }

    /** The latest modification of a build folder or its split folders (where shards are written). */
    private long lastWrite(FileStatus build) throws IOException {
        long last = build.getModificationTime();
        for (FileStatus split : fs.listStatus(build.getPath())) {
            last = Math.max(last, split.getModificationTime());
        }
        return last;
    }

    private CachedData toData(CacheManifest m) {
        Map<String, CachedSplit> splits = new LinkedHashMap<>();
        m.splits().forEach((name, e) -> splits.put(name, new CachedSplit(name,
                fs.makeQualified(new Path(new Path(dir, m.build()), name)).toString(), e.shards(),
                DataReport.of(e.report()))));
        return new CachedData(splits);
    }
}
