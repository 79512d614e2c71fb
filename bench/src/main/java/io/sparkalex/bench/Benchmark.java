package io.sparkalex.bench;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.Augmentation;
import io.sparkalex.data.EvalTransform;
import io.sparkalex.data.ImageCache;
import io.sparkalex.data.ImageDecoder;
import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.data.SplitTable;
import io.sparkalex.model.AlexNet;
import io.sparkalex.model.NativeKernels;
import io.sparkalex.storage.Json;
import io.sparkalex.train.Locations;
import io.sparkalex.train.NetworkFactory;
import io.sparkalex.train.TrainingJob;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
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
import java.util.stream.Stream;

/**
 * {@code bench/run}: measures, in one JVM and one run, on generated data: the machine's sgemm
 * rate through ND4J; the image cache (bytes per image, build rate per executor core, time to
 * the first step when it is built and when it is reused), the loader's rate with augmentation
 * against the training consumption per core; plain single-JVM DL4J training images/s; the Spark
 * job's training images/s in local mode on the same data and model, with augmentation on and
 * off; and the JVM's peak heap, off-heap and RSS. Prints a table and writes {@code bench/results/<date>.json}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark the training job on this machine.")
public final class Benchmark implements Callable<Integer> {
    @Option(names = "--train-images", defaultValue = "640",
            description = "Training images (default ${DEFAULT-VALUE}: 20 batches of 32, one averaging round of 2 workers x 10).")
    int trainImages;

    @Option(names = "--image-size", defaultValue = "227")
    int imageSize;

    @Option(names = "--width-factor", defaultValue = "1.0")
    double widthFactor;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--workers", defaultValue = "0", description = "Spark workers (0 = all cores, local[*]).")
    int workers;

    @Option(names = "--averaging-frequency", defaultValue = "10")
    int averagingFrequency;

    @Option(names = "--out", defaultValue = "bench/results", description = "Folder for <date>.json.")
    Path out;

    @Option(names = "--threads-per-worker", defaultValue = "0",
            description = "ND4J threads per Spark worker (0 = cores / workers).")
    int threadsPerWorker;

    @Option(names = "--label", defaultValue = "", description = "Suffix of the result file name (e.g. a lever).")
    String label;

    @Option(names = "--epoch-wall", defaultValue = "0", paramLabel = "N",
            description = "Only measure epoch wall time (start to start) over training time: N epochs of the Spark "
                    + "job at the build's defaults (sizes and --set keys aside); writes <date>-epochwall[-label].json.")
    int epochWall;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A configuration key for every run, plain and Spark (e.g. optimizer=nesterovs, the peer's).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--plain-batches", defaultValue = "0", paramLabel = "N",
            description = "Time plain fit on the first N minibatches only (0: all of them).")
    int plainBatches;

    @Option(names = "--profile-steps", defaultValue = "0", paramLabel = "N",
            description = "Also profile N plain training steps layer by layer (StepProfile; 0: not).")
    int profileSteps;

    @Option(names = "--compare-layers", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also time plain fit with DL4J's built-in layers (native_kernels=false), 4 batches.")
    boolean compareLayers;

    @Option(names = "--compare-augmentation", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run the Spark job with crop, flip and colour augmentation, then without again "
                    + "(reusing the image cache), and time the loader.")
    boolean compareAugmentation;

    /** The image cache all Spark runs of one benchmark share (the first builds it). */
    private String cacheDir = "";

    @Option(names = "--compare-optimizer-state", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run the Spark job with optimizer_state=averaged (DL4J's own master), after the default one.")
    boolean compareOptimizerState;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Benchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (epochWall > 0) {
            return epochWall();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("date", java.time.Instant.now().toString());
        result.put("machine", Machine.describe());
        Path data = Files.createTempDirectory("sparkalex-bench-");
        cacheDir = data.resolve("cache").toUri().toString();
        JobConfig config = config(true);
        result.put("config", Json.MAPPER.readTree(config.toJson()));
        MultiLayerConfiguration conf = AlexNet.configuration(NetworkFactory.spec(config, 10));
        MultiLayerConfiguration dl4jLayers = AlexNet.configuration(NetworkFactory.spec(config(false), 10));
        double flopsPerImage = TrainingFlops.trainingFlopsPerImage(conf, imageSize);
        result.put("training_gflop_per_image", flopsPerImage / 1e9);

        try (MemoryPeak memory = new MemoryPeak()) {
            double sgemm = Machine.sgemmGflops();
            result.put("sgemm_gflops", sgemm);
            log("sgemm 2048^3 through ND4J: %.1f GFLOP/s", sgemm);

            int perClass = (int) Math.ceil(trainImages / 7.0);
            new SampleDataGenerator(10, perClass, 1).write(data.toUri().toString(), new org.apache.hadoop.conf.Configuration());
            List<Path> train = PlainFit.trainFiles(data, perClass);

            // (c) decode in this JVM, one thread
            long t0 = System.nanoTime();
            List<DataSet> batches = PlainFit.decodeBatches(train, imageSize, config.resizeSize, batchSize);
            double decodeJvm = train.size() / ((System.nanoTime() - t0) / 1e9);
            log("decode + resize + normalise, one thread: %.1f images/s", decodeJvm);

            // (a) plain DL4J fit
            double plain = PlainFit.plainFit(conf, plainBatches > 0
                    ? batches.subList(0, Math.min(batches.size(), plainBatches + 1)) : batches);
            log("plain DL4J fit: %.2f images/s (%.1f GFLOP/s)", plain, plain * flopsPerImage / 1e9);
            result.put("plain", rates(plain, flopsPerImage, sgemm));
            if (compareLayers) {
                double before = PlainFit.plainFit(dl4jLayers, batches.subList(0, Math.min(4, batches.size())));
                log("plain DL4J fit, DL4J's built-in layers: %.2f images/s", before);
                Map<String, Object> b = rates(before, flopsPerImage, sgemm);
                b.put("native_kernels_speedup", plain / before);
                result.put("plain_dl4j_layers", b);
            }
            if (profileSteps > 0) {
                Map<String, Object> profile = StepProfile.measure(conf, batches, imageSize, profileSteps, sgemm);
                result.put("step_profile", profile);
                System.out.println(StepProfile.table(profile));
            }
            batches.clear();

            // (b) the Spark job, local mode, same data and model; the first run builds the image
            // cache (in data/cache), every later one reuses it
            warmUpSparkSql(data);
            DecodeTime decodeTime = new DecodeTime();
            StartupTime building = new StartupTime();
            TrainingJob.Result job = sparkRun(config, data, "default", decodeTime, building);
            Map<String, Object> s = sparkRates(job, config, plain, flopsPerImage, sgemm);
            s.putAll(warmRounds(data.resolve("out-default"), config.batchSize, plain, flopsPerImage, sgemm));
            result.put("spark_local", s);
            log("Spark job (local mode): %.2f images/s, %.2fx plain", s.get("images_per_sec"), s.get("ratio_to_plain"));
            Map<String, Object> cache = PipelineMeasures.cacheBytes(data.resolve("cache"), config.resizeSize, imageSize);
            cache.put("build_images_per_sec_per_core", decodeTime.imagesPerSecondPerCore(data.resolve("out-default")));
            result.put("cache", cache);
            log("image cache: %.0f bytes per image (%.3f of float32 minibatches)", cache.get("jpeg_bytes_per_image"),
                    cache.get("jpeg_fraction_of_float32"));
            if (compareAugmentation) {
                Augmentation on = new Augmentation(true, true, true, 1.0);
                StartupTime reusing = new StartupTime();
                JobConfig augmented = config(true, "resident", "augment_crop", "true", "augment_flip", "true",
                        "augment_colour", "true");
                Map<String, Object> aug = sparkRates(sparkRun(augmented, data, "augmented", null, reusing), augmented,
                        plain, flopsPerImage, sgemm);
                Map<String, Object> off = sparkRates(sparkRun(config, data, "default-again", null, null), config, plain,
                        flopsPerImage, sgemm);
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("on_images_per_sec", aug.get("images_per_sec"));
                a.put("off_images_per_sec", off.get("images_per_sec"));
                a.put("off_first_run_images_per_sec", s.get("images_per_sec"));
                // ABA: the run with augmentation sits between two without, whose mean cancels the drift
                // of a JVM that gets faster run by run (JIT, workspaces).
                a.put("on_to_off", (Double) aug.get("images_per_sec")
                        / (((Double) off.get("images_per_sec") + (Double) s.get("images_per_sec")) / 2));
                result.put("augmentation", a);
                double perCore = (Double) aug.get("images_per_sec") / Runtime.getRuntime().availableProcessors();
                double loader = PipelineMeasures.loaderImagesPerSecond(data.resolve("cache"), imageSize, batchSize, on, 8);
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("one_thread_images_per_sec_augmented", loader);
                l.put("training_images_per_sec_per_core", perCore);
                l.put("loader_to_training", loader / perCore);
                result.put("loader", l);
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("seconds_to_first_step_building_cache", building.seconds());
                st.put("seconds_to_first_step_reusing_cache", reusing.seconds());
                st.put("reuse_to_build", reusing.seconds() / building.seconds());
                result.put("startup", st);
                log("augmentation on / off: %.2fx; loader %.0fx the training consumption per core; startup reusing "
                        + "the cache %.2fx of building it", a.get("on_to_off"), l.get("loader_to_training"),
                        st.get("reuse_to_build"));
            }
            if (compareOptimizerState) {
                JobConfig stock = config(true, "averaged");
                Map<String, Object> averaged = sparkRates(sparkRun(stock, data, "averaged", null, null), stock, plain,
                        flopsPerImage, sgemm);
                result.put("spark_local_state_averaged", averaged);
                log("Spark job, optimizer_state=averaged: %.2f images/s, %.2fx plain",
                        averaged.get("images_per_sec"), averaged.get("ratio_to_plain"));
            }

            Map<String, Object> decode = new LinkedHashMap<>();
            decode.put("jvm_one_thread_images_per_sec", decodeJvm);
            result.put("decode", decode);

            Map<String, Object> mem = new LinkedHashMap<>();
            mem.put("peak_heap_mib", memory.heap() / 1048576.0);
            mem.put("peak_native_mib", memory.offHeap() / 1048576.0);
            mem.put("peak_rss_mib", memory.rss() / 1048576.0);
            result.put("memory", mem);
            deleteTree(data);
        }
        System.out.println(table(result));
        Files.createDirectories(out);
        Path file = out.resolve(LocalDate.now() + (label.isEmpty() ? "" : "-" + label) + ".json");
        Files.writeString(file, Json.pretty(result) + "\n");
        System.out.println("wrote " + file);
        return 0;
    }

    /** {@code --epoch-wall N}: {@link EpochWall} alone, at the build's defaults. */
    private int epochWall() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(Map.of("image_size", "" + imageSize,
                "width_factor", "" + widthFactor, "batch_size", "" + batchSize, "workers", "" + workers));
        settings.putAll(JobConfig.parseOverrides(sets));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("date", java.time.Instant.now().toString());
        result.put("machine", Machine.describe());
        result.putAll(EpochWall.measure(epochWall, trainImages, settings, workers));
        System.out.println(String.format(Locale.ROOT, "median epoch wall / training time: %.3f",
                result.get("median_wall_to_train")));
        Files.createDirectories(out);
        Path file = out.resolve(LocalDate.now() + "-epochwall" + (label.isEmpty() ? "" : "-" + label) + ".json");
        Files.writeString(file, Json.pretty(result) + "\n");
        System.out.println("wrote " + file);
        return 0;
    }

    /**
     * Reads the CSV once in a throwaway session, so that the first measured run does not also pay
     * for Spark SQL's first-use start-up in this JVM (about 10 s): the time to the first step then
     * differs between building and reusing the cache by the cache alone.
     */
    private void warmUpSparkSql(Path data) {
        SparkSession spark = LocalSpark.start(workers);
        try {
            SplitTable.read(spark, data.resolve(SampleDataGenerator.CSV).toUri().toString());
        } finally {
            spark.stop();
        }
    }

    /** A fresh run into {@code data/out-<name>}, with the image cache in {@code data/cache}; listeners may be null. */
    private TrainingJob.Result sparkRun(JobConfig config, Path data, String name, DecodeTime decodeTime,
                                        StartupTime startup) throws Exception {
        SparkSession spark = LocalSpark.start(workers);
        for (SparkListener l : new SparkListener[] {decodeTime, startup}) {
            if (l != null) {
                spark.sparkContext().addSparkListener(l);
            }
        }
        try {
            return new TrainingJob(spark, config, new Locations(
                    data.resolve(SampleDataGenerator.CSV).toUri().toString(),
                    data.resolve(SampleDataGenerator.IMAGES).toUri().toString(),
                    data.resolve("out-" + name).toUri().toString(), null), true).run();
        } finally {
            spark.stop();
        }
    }

    /**
     * The rounds after each epoch's first, as a long run is nearly all of them (an ImageNet epoch is
     * thousands of rounds): training images over their round time (fitting and the exchange), with
     * the epoch's start (networks built, the first fetch, oneDNN's first calls) left out, as the
     * plain fit and the PyTorch peer leave out their warm-up step. Empty with one round an epoch.
     */
    private static Map<String, Object> warmRounds(Path out, int batch, double plain, double flopsPerImage,
                                                  double sgemm) throws Exception {
        Path file = out.resolve("rounds.jsonl");
        List<io.sparkalex.averaging.RoundBreakdown> warm = !Files.exists(file) ? List.of() : Files.readAllLines(file)
                .stream().filter(l -> !l.isBlank()).map(l -> Json.read(l, io.sparkalex.averaging.RoundBreakdown.class))
                .filter(r -> r.round() > 1).toList();
        if (warm.isEmpty()) {
            return Map.of();
        }
        double rate = warm.stream().mapToDouble(r -> (double) r.minibatches() * batch).sum()
                / warm.stream().mapToDouble(io.sparkalex.averaging.RoundBreakdown::roundSeconds).sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warm_rounds", warm.size());
        m.put("warm_rounds_images_per_sec", rate);
        m.put("warm_rounds_ratio_to_plain", rate / plain);
        m.put("warm_rounds_fraction_of_sgemm", rate * flopsPerImage / 1e9 / sgemm);
        return m;
    }

    private static Map<String, Object> sparkRates(TrainingJob.Result job, JobConfig config, double plain, double flopsPerImage,
                                                  double sgemm) {
        var epoch = job.history().get(0);
        Map<String, Object> s = rates(epoch.imagesPerSec(), flopsPerImage, sgemm);
        s.put("ratio_to_plain", epoch.imagesPerSec() / plain);
        s.put("epoch_seconds", epoch.epochSeconds());
        s.put("train_seconds", epoch.trainSeconds());
        s.put("eval_seconds", epoch.evalSeconds());
        s.put("optimizer_state", config.optimizerState.name().toLowerCase(Locale.ROOT));
        return s;
    }

    private JobConfig config(boolean nativeKernels) {
        return config(nativeKernels, "resident");
    }

    private JobConfig config(boolean nativeKernels, String optimizerState, String... more) {
        Map<String, String> sets = new LinkedHashMap<>(Map.of("optimizer_state", optimizerState, "image_size", "" + imageSize,
                "width_factor", "" + widthFactor,
                "batch_size", "" + batchSize, "epochs", "1", "workers", "" + workers,
                "averaging_frequency", "" + averagingFrequency, "train_eval_fraction", "0.05",
                "threads_per_worker", "" + threadsPerWorker, "native_kernels", "" + nativeKernels));
        sets.put("cache_dir", cacheDir);
        sets.putAll(JobConfig.parseOverrides(this.sets));
        for (int i = 0; i < more.length; i += 2) {
            sets.put(more[i], more[i + 1]);
        }
        return JobConfig.load(null, sets);
    }

    static Map<String, Object> rates(double imagesPerSec, double flopsPerImage, double sgemm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images_per_sec", imagesPerSec);
        m.put("gflops", imagesPerSec * flopsPerImage / 1e9);
        m.put("fraction_of_sgemm", imagesPerSec * flopsPerImage / 1e9 / sgemm);
        return m;
    }

    /** The printed table: a label and the dotted path of its value in the result; absent values are left out. */
    private static final String[][] TABLE = {
            {"sgemm 2048^3 through ND4J (GFLOP/s)", "sgemm_gflops"},
            {"training work per image (GFLOP)", "training_gflop_per_image"},
            {"plain DL4J fit, native_kernels (images/s)", "plain.images_per_sec"},
            {"plain DL4J fit (fraction of sgemm)", "plain.fraction_of_sgemm"},
            {"plain fit, DL4J's built-in layers (images/s)", "plain_dl4j_layers.images_per_sec"},
            {"native_kernels speed-up over DL4J's layers", "plain_dl4j_layers.native_kernels_speedup"},
            {"Spark job, local mode (images/s)", "spark_local.images_per_sec"},
            {"Spark job, local mode (fraction of sgemm)", "spark_local.fraction_of_sgemm"},
            {"Spark job / plain fit", "spark_local.ratio_to_plain"},
            {"Spark job, rounds after an epoch's first (images/s)", "spark_local.warm_rounds_images_per_sec"},
            {"Spark job, those rounds / plain fit", "spark_local.warm_rounds_ratio_to_plain"},
            {"Spark job, optimizer_state=averaged (images/s)", "spark_local_state_averaged.images_per_sec"},
            {"Spark job, optimizer_state=averaged / plain fit", "spark_local_state_averaged.ratio_to_plain"},
            {"image cache: JPEG bytes per image", "cache.jpeg_bytes_per_image"},
            {"image cache: fraction of float32 minibatch bytes", "cache.jpeg_fraction_of_float32"},
            {"image cache: raw uint8 fraction of float32 (not chosen)", "cache.raw_uint8_fraction_of_float32"},
            {"image cache build on executors (images/s/core)", "cache.build_images_per_sec_per_core"},
            {"cache pipeline + centre crop, one JVM thread (images/s)", "decode.jvm_one_thread_images_per_sec"},
            {"seconds to first step, building the cache", "startup.seconds_to_first_step_building_cache"},
            {"seconds to first step, reusing the cache", "startup.seconds_to_first_step_reusing_cache"},
            {"first step: reusing / building", "startup.reuse_to_build"},
            {"loader with augmentation, one thread (images/s)", "loader.one_thread_images_per_sec_augmented"},
            {"training consumption per core (images/s)", "loader.training_images_per_sec_per_core"},
            {"loader / training consumption per core", "loader.loader_to_training"},
            {"Spark job, augmentation on (images/s)", "augmentation.on_images_per_sec"},
            {"Spark job, augmentation off, run before (images/s)", "augmentation.off_first_run_images_per_sec"},
            {"Spark job, augmentation off, run after (images/s)", "augmentation.off_images_per_sec"},
            {"augmentation on / mean of the off runs around it", "augmentation.on_to_off"},
            {"peak heap (MiB)", "memory.peak_heap_mib"},
            {"peak native memory: RSS - heap (MiB)", "memory.peak_native_mib"},
            {"peak RSS of the JVM (MiB)", "memory.peak_rss_mib"}};

    static String table(Map<String, Object> result) {
        StringBuilder sb = new StringBuilder("\n");
        sb.append(String.format(Locale.ROOT, "%-52s %12s%n", "measure", "value"));
        for (String[] row : TABLE) {
            Object value = result;
            for (String key : row[1].split("\\.")) {
                value = value instanceof Map<?, ?> m ? m.get(key) : null;
            }
            if (value instanceof Number n) {
                sb.append(String.format(Locale.ROOT, "%-52s %12.3f%n", row[0], n.doubleValue()));
            }
        }
        return sb.toString();
    }

    private static void log(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
