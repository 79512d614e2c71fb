package io.sparkalex.bench;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.storage.EpochMetrics;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench/accuracy}: val and test accuracy with and without augmentation (random crops,
 * flips, PCA colour noise) on the generated data set, whose objects sit at random places, sizes
 * and rotations with jittered hues, for several training seeds, interleaved (off, on per seed),
 * the same epochs each. The job itself runs each time, in local mode, sharing one image cache.
 */
@Command(name = "accuracy", mixinStandardHelpOptions = true)
public final class AugmentationAccuracy implements Callable<Integer> {
    @Option(names = "--seeds", defaultValue = "3")
    int seeds;

    @Option(names = "--epochs", defaultValue = "12")
    int epochs;

    @Option(names = "--per-class", defaultValue = "100", description = "Images per class (10 classes, 70% train).")
    int perClass;

    @Option(names = "--image-size", defaultValue = "67")
    int imageSize;

    @Option(names = "--width-factor", defaultValue = "0.25")
    double widthFactor;

    @Option(names = "--out", defaultValue = "bench/results")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AugmentationAccuracy()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("sparkalex-accuracy-");
        new SampleDataGenerator(10, perClass, 3).write(data.toUri().toString(), new org.apache.hadoop.conf.Configuration());
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            for (boolean augment : new boolean[] {false, true}) {
                runs.add(run(data, seed, augment));
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("date", java.time.Instant.now().toString());
        result.put("epochs", epochs);
        result.put("image_size", imageSize);
        result.put("width_factor", widthFactor);
        result.put("train_images", perClass * 10 * 7 / 10);
        result.put("runs", runs);
        System.out.println(String.format(Locale.ROOT, "%-6s %-8s %10s %10s %10s", "seed", "augment", "final val",
                "best val", "test"));
        for (Map<String, Object> r : runs) {
            System.out.println(String.format(Locale.ROOT, "%-6s %-8s %10.4f %10.4f %10.4f", r.get("seed"),
                    r.get("augment"), r.get("final_val_acc"), r.get("best_val_acc"), r.get("test_acc")));
        }
        Files.createDirectories(out);
        Path file = out.resolve(LocalDate.now() + "-augmentation-accuracy.json");
        Files.writeString(file, Json.pretty(result) + "\n");
        System.out.println("wrote " + file);
        return 0;
    }

    private Map<String, Object> run(Path data, int seed, boolean augment) throws Exception {
        JobConfig config = JobConfig.load(null, Map.of("seed", "" + seed, "epochs", "" + epochs,
                "image_size", "" + imageSize, "width_factor", "" + widthFactor, "learning_rate", "5e-4",
                "cache_dir", data.resolve("cache").toUri().toString(), "augment_crop", "" + augment,
                "augment_flip", "" + augment, "augment_colour", "" + augment));
        SparkSession spark = LocalSpark.start(0);
        TrainingJob.Result result;
        try {
            result = new TrainingJob(spark, config, new Locations(data.resolve(SampleDataGenerator.CSV).toUri().toString(),
                    data.resolve(SampleDataGenerator.IMAGES).toUri().toString(),
                    data.resolve("out-" + seed + "-" + augment).toUri().toString(), null), true).run();
        } finally {
            spark.stop();
        }
        List<EpochMetrics> h = result.history();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seed", seed);
        r.put("augment", augment);
        r.put("final_val_acc", h.get(h.size() - 1).valAcc());
        r.put("best_val_acc", h.stream().mapToDouble(EpochMetrics::valAcc).max().orElse(Double.NaN));
        r.put("final_train_acc", h.get(h.size() - 1).trainAcc());
        r.put("test_acc", result.test().testAcc());
        r.put("val_acc_per_epoch", h.stream().map(EpochMetrics::valAcc).toList());
        return r;
    }
}
