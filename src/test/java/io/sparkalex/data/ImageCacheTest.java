package io.sparkalex.data;

import io.sparkalex.storage.Json;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoded-image cache on real local Spark: built once, reused, rebuilt when its inputs change. */
class ImageCacheTest {
    @TempDir
    static Path tmp;
    static SampleData data;

    /** Counts the Spark jobs that build a cache: decode tasks run only in those. */
    static final class DecodeJobs extends SparkListener {
        final AtomicInteger jobs = new AtomicInteger();

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            if (ImageCache.JOB_GROUP.equals(start.properties().getProperty("spark.jobGroup.id"))) {
                jobs.incrementAndGet();
            }
        }
    }

    @BeforeAll
    static void data() throws Exception {
        data = SampleData.write(tmp.resolve("data"), 3, 20, 4);
    }

    /** The lines a class logs while this is open (a real log4j appender on its logger). */
    static final class LogLines implements AutoCloseable {
        private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final org.apache.logging.log4j.core.Logger logger;
        private final org.apache.logging.log4j.core.appender.AbstractAppender appender;

        private LogLines(Class<?> source) {
            logger = (org.apache.logging.log4j.core.Logger) org.apache.logging.log4j.LogManager.getLogger(source);
            appender = new org.apache.logging.log4j.core.appender.AbstractAppender("capture-" + source.getSimpleName(),
                    null, null, true, org.apache.logging.log4j.core.config.Property.EMPTY_ARRAY) {
                @Override
                public void append(org.apache.logging.log4j.core.LogEvent event) {
                    lines.add(event.getMessage().getFormattedMessage());
                }
            };
            appender.start();
            logger.addAppender(appender);
        }

        static LogLines of(Class<?> source) {
            return new LogLines(source);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void close() {
            logger.removeAppender(appender);
            appender.stop();
        }
    }

    record Opened(CachedData data, int decodeJobs, String build, List<String> progress) {
    }

    static Opened open(Path csv, Path cacheDir, int resize) throws Exception {
        SparkSession spark = TestSpark.session();
        DecodeJobs listener = new DecodeJobs();
        spark.sparkContext().addSparkListener(listener);
        LogLines progress = LogLines.of(io.sparkalex.monitor.JobProgress.class);
        try (progress) {
            SplitTable table = SplitTable.read(spark, csv.toUri().toString());
            ClassIndex classes = table.classes(Map.of());
            CachedData cached = new ImageCache(spark, new ImageCache.Settings(cacheDir.toUri().toString(),
                    data.images().toUri().toString(), resize, ImageCache.JPEG_QUALITY, 16, 2, 1L << 26))
                    .open(table, classes, io.sparkalex.storage.FileDigest.sha256(csv.toUri().toString(), new org.apache.hadoop.conf.Configuration()));
            spark.sparkContext().listenerBus().waitUntilEmpty();
            String build = Json.MAPPER.readTree(Files.readString(cacheDir.resolve("manifest.json"))).path("build").asText();
            return new Opened(cached, listener.jobs.get(), build, progress.lines());
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
    }

    @Test
    void builtOnceThenReusedWithoutDecodingAndRebuiltWhenTheCsvOrSizeChanges() throws Exception {
        Path cache = tmp.resolve("cache");
        Opened first = open(data.csv(), cache, 40);
        assertTrue(first.decodeJobs() > 0, "the first run decodes");
        assertEquals(42, first.data().split("train").examples(), "70% of 3 x 20");
        assertTrue(first.progress().stream().anyMatch(l -> l.startsWith("caching train images: 42/42 (100.0%)")),
                "the build's progress, every row counted: " + first.progress());
        assertEquals(6, first.data().split("val").examples());
        assertEquals(12, first.data().split("test").examples());
        assertTrue(first.data().split("train").shards().size() >= 3, "shards of at most 16 images");
        assertTrue(first.data().split("train").shards().stream().allMatch(s -> s.images() <= 16));

        Opened again = open(data.csv(), cache, 40);
        assertEquals(0, again.decodeJobs(), "a rerun reuses the cache: no decode task runs");
        assertEquals(first.build(), again.build());
        assertEquals(first.data().split("train").shards().size(), again.data().split("train").shards().size());
        assertEquals(first.data().overall().counts(), again.data().overall().counts(), "the row report is kept");

        // Another run sharing this cache is building into its own folder right now; a run that died
        // left a folder nothing has written to for two days.
        Path building = Files.createDirectories(cache.resolve("build-of-a-live-run").resolve("train"));
        Path dead = Files.createDirectories(cache.resolve("build-of-a-dead-run").resolve("train"));
        long twoDaysAgo = System.currentTimeMillis() - 2 * 86_400_000L;
        dead.toFile().setLastModified(twoDaysAgo);
        dead.getParent().toFile().setLastModified(twoDaysAgo);
        Opened resized = open(data.csv(), cache, 48);
        assertTrue(resized.decodeJobs() > 0, "another resize_size rebuilds");
        assertNotEquals(first.build(), resized.build());
        try (var builds = Files.list(cache)) {
            assertEquals(java.util.Set.of(resized.build(), "build-of-a-live-run"), builds.map(p -> p.getFileName()
                    .toString()).filter(n -> n.startsWith("build-")).collect(java.util.stream.Collectors.toSet()),
                    "the replaced and the dead builds are removed, the one in progress is not");
        }
        Files.delete(building);
        Files.delete(building.getParent());

        Path otherCsv = tmp.resolve("other.csv");
        Files.writeString(otherCsv, Files.readString(data.csv()).replaceFirst(",val\n", ",train\n"));
        Opened changed = open(otherCsv, cache, 48);
        assertTrue(changed.decodeJobs() > 0, "another CSV rebuilds");
        assertEquals(43, changed.data().split("train").examples());
    }

    @Test
    void cachedImagesTakeAFractionOfTheFloatMinibatchBytes() throws Exception {
        Path cache = tmp.resolve("cache-size");
        Opened opened = open(data.csv(), cache, 256);
        long bytes;
        try (var files = Files.walk(cache)) {
            bytes = files.filter(f -> f.getFileName().toString().startsWith("shard-"))
                    .mapToLong(f -> f.toFile().length()).sum();
        }
        long images = opened.data().overall().used();
        double floatBytes = 3 * 227 * 227 * 4;
        assertTrue(bytes / (double) images < floatBytes / 10,
                "bytes per cached 256x256 image " + bytes / images + " vs float32 227x227 " + floatBytes);
    }
}
