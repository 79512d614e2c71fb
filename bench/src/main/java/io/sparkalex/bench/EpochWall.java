package io.sparkalex.bench;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.storage.BuildInfo;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Json;
import io.sparkalex.train.Locations;
import io.sparkalex.train.TrainingJob;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bench/run --epoch-wall N}: how much of an epoch's wall time is training. Runs the job in
 * local mode for N epochs at the build's own defaults (only the sizes and the given {@code --set}
 * keys changed) and takes each epoch's wall time from the start of its training job to the start
 * of the next epoch's: evaluation, checkpoints, metrics, report and status included. Reports
 * wall / training time per epoch (the last epoch has no successor: N epochs give N - 1).
 *
 * <p>It uses only what every build since 0.1.0 has ({@code TrainingJob}, {@code JobConfig.load},
 * the epoch job group {@code sparkalex-epoch-N}), so the same bench classes measure an earlier
 * job jar ({@code SPARKALEX_JOB_JAR}), interleaved with the current one.
 */
final class EpochWall extends SparkListener {
    /** Epoch -> when its training job was submitted (epoch millis, Spark's own time stamp). */
    private final Map<Integer, Long> trainingStarts = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        String group = job.properties().getProperty("spark.jobGroup.id");
        String description = job.properties().getProperty("spark.job.description");
        if (group != null && group.startsWith("sparkalex-epoch-") && description != null
                && description.endsWith(" training")) {
            trainingStarts.putIfAbsent(Integer.parseInt(group.substring("sparkalex-epoch-".length())), job.time());
        }
    }

    /** Runs the job for {@code epochs} epochs on generated data and returns the measurements. */
    static Map<String, Object> measure(int epochs, int trainImages, Map<String, String> settings, int workers)
            throws Exception {
        Path data = Files.createTempDirectory("sparkalex-epoch-wall-");
        int perClass = (int) Math.ceil(trainImages / 7.0);
        new SampleDataGenerator(10, perClass, 1).write(data.toUri().toString(), new org.apache.hadoop.conf.Configuration());
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put("epochs", Integer.toString(epochs));
        JobConfig config = JobConfig.load(null, all);
        SparkSession spark = LocalSpark.start(workers);
        EpochWall wall = new EpochWall();
        spark.sparkContext().addSparkListener(wall);
        TrainingJob.Result result;
        try {
            result = new TrainingJob(spark, config, new Locations(
                    data.resolve(SampleDataGenerator.CSV).toUri().toString(),
                    data.resolve(SampleDataGenerator.IMAGES).toUri().toString(),
                    data.resolve("out").toUri().toString(), null), true).run();
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.stop();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (EpochMetrics m : result.history()) {
            Long start = wall.trainingStarts.get(m.epoch());
            Long next = wall.trainingStarts.get(m.epoch() + 1);
            if (start == null || next == null) {
                continue;
            }
            double seconds = (next - start) / 1e3;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", m.epoch());
            row.put("wall_seconds", seconds);
            row.put("train_seconds", m.trainSeconds());
            row.put("eval_seconds", m.evalSeconds());
            row.put("wall_to_train", seconds / m.trainSeconds());
            rows.add(row);
            ratios.add(seconds / m.trainSeconds());
            System.out.println(String.format(Locale.ROOT, "epoch %d: wall %.1f s (start to start), training %.1f s, "
                    + "evaluation %.1f s: wall / training %.3f", m.epoch(), seconds, m.trainSeconds(), m.evalSeconds(),
                    seconds / m.trainSeconds()));
        }
        ratios.sort(null);
        Map<String, Object> out = new LinkedHashMap<>();
        BuildInfo build = BuildInfo.current();
        out.put("job_build", build.version() + " " + build.gitCommit());
        out.put("config", Json.MAPPER.readTree(config.toJson()));
        out.put("train_images", trainImages);
        out.put("epochs", rows);
        out.put("median_wall_to_train", ratios.isEmpty() ? Double.NaN : ratios.size() % 2 == 1
                ? ratios.get(ratios.size() / 2) : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2);
        try (var files = Files.walk(data)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        return out;
    }
}
