package io.sparkalex.bench;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.data.SplitTable;
import io.sparkalex.storage.Json;
import io.sparkalex.train.Locations;
import io.sparkalex.train.TrainingJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench/startup}: seconds to the first training step of a run that builds the image cache
 * and of one that reuses it, on a generated data set of a chosen size (default 13,000 images,
 * the reference script's 10-class ImageNet subset), with Spark SQL warmed up first so that the
 * two differ by the cache alone. A narrow network keeps the one training epoch short; the cache
 * is the full network's (256x256 squares for 227 crops).
 */
@Command(name = "startup", mixinStandardHelpOptions = true)
public final class CacheStartup implements Callable<Integer> {
    @Option(names = "--per-class", defaultValue = "1300", description = "Images per class, 10 classes.")
    int perClass;

    @Option(names = "--width-factor", defaultValue = "0.1")
    double widthFactor;

    @Option(names = "--out", defaultValue = "bench/results")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CacheStartup()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("sparkalex-startup-");
        new SampleDataGenerator(10, perClass, 5).write(data.toUri().toString(), new org.apache.hadoop.conf.Configuration());
        String csv = data.resolve(SampleDataGenerator.CSV).toUri().toString();
        SparkSession warm = LocalSpark.start(0);
        SplitTable.read(warm, csv);
        warm.stop();
        double build = firstStep(data, "build");
        double reuse = firstStep(data, "reuse");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("date", java.time.Instant.now().toString());
        result.put("images", perClass * 10);
        result.put("seconds_to_first_step_building_cache", build);
        result.put("seconds_to_first_step_reusing_cache", reuse);
        result.put("reuse_to_build", reuse / build);
        System.out.printf("%d images: first step after %.1f s building the cache, %.1f s reusing it (%.3f)%n",
                perClass * 10, build, reuse, reuse / build);
        Files.createDirectories(out);
        Path file = out.resolve(LocalDate.now() + "-startup-" + perClass * 10 + ".json");
        Files.writeString(file, Json.pretty(result) + "\n");
        System.out.println("wrote " + file);
        return 0;
    }

    private double firstStep(Path data, String name) throws Exception {
        JobConfig config = JobConfig.load(null, Map.of("epochs", "1", "width_factor", "" + widthFactor,
                "train_eval_fraction", "0.01", "cache_dir", data.resolve("cache").toUri().toString()));
        StartupTime startup = new StartupTime();
        SparkSession spark = LocalSpark.start(0);
        spark.sparkContext().addSparkListener(startup);
        try {
            new TrainingJob(spark, config, new Locations(data.resolve(SampleDataGenerator.CSV).toUri().toString(),
                    data.resolve(SampleDataGenerator.IMAGES).toUri().toString(),
                    data.resolve("out-" + name).toUri().toString(), null), true).run();
        } finally {
            spark.stop();
        }
        return startup.seconds();
    }
}
