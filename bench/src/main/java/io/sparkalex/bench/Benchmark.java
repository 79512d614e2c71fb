package io.sparkalex.bench;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.EvalTransform;
import io.sparkalex.data.ImageCache;
import io.sparkalex.data.ImageDecoder;
import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.model.AlexNet;
import io.sparkalex.model.NativeKernels;
import io.sparkalex.storage.Json;
import io.sparkalex.train.Locations;
import io.sparkalex.train.NetworkFactory;
import io.sparkalex.train.TrainingJob;
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
 * rate through ND4J; the decode + resize + normalise rate per core (in the JVM, and on Spark's
 * executors during data preparation); plain single-JVM DL4J training images/s; the Spark job's
 * training images/s in local mode on the same data and model; and the JVM's peak heap, off-heap
 * and RSS. Prints a table and writes {@code bench/results/<date>.json}.
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

    @Option(names = "--compare-layers", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also time plain fit with DL4J's built-in layers (native_kernels=false), 4 batches.")
    boolean compareLayers;

    @Option(names = "--compare-optimizer-state", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run the Spark job with optimizer_state=averaged (DL4J's own master), after the default one.")
    boolean compareOptimizerState;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Benchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("date", java.time.Instant.now().toString());
        result.put("machine", machine());
        JobConfig config = config(true);
        result.put("config", Json.MAPPER.readTree(config.toJson()));
        MultiLayerConfiguration conf = AlexNet.configuration(NetworkFactory.spec(config, 10));
        MultiLayerConfiguration dl4jLayers = AlexNet.configuration(NetworkFactory.spec(config(false), 10));
        double flopsPerImage = TrainingFlops.trainingFlopsPerImage(conf, imageSize);
        result.put("training_gflop_per_image", flopsPerImage / 1e9);

        try (MemoryPeak memory = new MemoryPeak()) {
            double sgemm = sgemmGflops();
            result.put("sgemm_gflops", sgemm);
            log("sgemm 2048^3 through ND4J: %.1f GFLOP/s", sgemm);

            Path data = Files.createTempDirectory("sparkalex-bench-");
            int perClass = (int) Math.ceil(trainImages / 7.0);
            new SampleDataGenerator(10, perClass, 1).write(data.toUri().toString(), new org.apache.hadoop.conf.Configuration());
            List<Path> train = trainFiles(data, perClass);

            // (c) decode in this JVM, one thread
            long t0 = System.nanoTime();
            List<DataSet> batches = decodeBatches(train);
            double decodeJvm = train.size() / ((System.nanoTime() - t0) / 1e9);
            log("decode + resize + normalise, one thread: %.1f images/s", decodeJvm);

            // (a) plain DL4J fit
            double plain = plainFit(conf, batches);
            log("plain DL4J fit: %.2f images/s (%.1f GFLOP/s)", plain, plain * flopsPerImage / 1e9);
            result.put("plain", rates(plain, flopsPerImage, sgemm));
            if (compareLayers) {
                double before = plainFit(dl4jLayers, batches.subList(0, Math.min(4, batches.size())));
                log("plain DL4J fit, DL4J's built-in layers: %.2f images/s", before);
                Map<String, Object> b = rates(before, flopsPerImage, sgemm);
                b.put("native_kernels_speedup", plain / before);
                result.put("plain_dl4j_layers", b);
            }
            batches.clear();

            // (b) the Spark job, local mode, same data and model
            DecodeTime decodeTime = new DecodeTime();
            TrainingJob.Result job = sparkRun(config, data, decodeTime);
            Map<String, Object> s = sparkRates(job, config, plain, flopsPerImage, sgemm);
            result.put("spark_local", s);
            log("Spark job (local mode): %.2f images/s, %.2fx plain", s.get("images_per_sec"), s.get("ratio_to_plain"));
            if (compareOptimizerState) {
                JobConfig stock = config(true, "averaged");
                Map<String, Object> averaged = sparkRates(sparkRun(stock, data, null), stock, plain, flopsPerImage, sgemm);
                result.put("spark_local_state_averaged", averaged);
                log("Spark job, optimizer_state=averaged: %.2f images/s, %.2fx plain",
                        averaged.get("images_per_sec"), averaged.get("ratio_to_plain"));
            }

            Map<String, Object> decode = new LinkedHashMap<>();
            decode.put("jvm_one_thread_images_per_sec", decodeJvm);
            decode.put("executor_images_per_sec_per_core", decodeTime.imagesPerSecondPerCore(data.resolve("out")));
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

    /** @param decodeTime listens to the run's decode tasks, or null */
    private TrainingJob.Result sparkRun(JobConfig config, Path data, DecodeTime decodeTime) throws Exception {
        SparkSession spark = SparkSession.builder().master(workers > 0 ? "local[" + workers + "]" : "local[*]")
                .appName("sparkalex-bench").config("spark.ui.enabled", "false")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", "io.sparkalex.nd4j.FastNd4jRegistrator")
                .config("spark.driver.maxResultSize", "4g").getOrCreate();
        if (decodeTime != null) {
            spark.sparkContext().addSparkListener(decodeTime);
        }
        try {
            return new TrainingJob(spark, config, new Locations(
                    data.resolve(SampleDataGenerator.CSV).toUri().toString(),
                    data.resolve(SampleDataGenerator.IMAGES).toUri().toString(),
                    data.resolve("out").toUri().toString(), null), true).run();
        } finally {
            spark.stop();
        }
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

    private JobConfig config(boolean nativeKernels, String optimizerState) {
        return JobConfig.load(null, Map.of("optimizer_state", optimizerState, "image_size", "" + imageSize,
                "width_factor", "" + widthFactor,
                "batch_size", "" + batchSize, "epochs", "1", "workers", "" + workers,
                "averaging_frequency", "" + averagingFrequency, "train_eval_fraction", "0.05",
                "threads_per_worker", "" + threadsPerWorker, "native_kernels", "" + nativeKernels));
    }

    static Map<String, Object> rates(double imagesPerSec, double flopsPerImage, double sgemm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images_per_sec", imagesPerSec);
        m.put("gflops", imagesPerSec * flopsPerImage / 1e9);
        m.put("fraction_of_sgemm", imagesPerSec * flopsPerImage / 1e9 / sgemm);
        return m;
    }

    /** Median of 5 timed 2048x2048x2048 single-precision matrix products after a warm-up. */
    static double sgemmGflops() {
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            Nd4j.getExecutioner().commit();
            rates.add(2.0 * n * n * n / ((System.nanoTime() - t) / 1e9) / 1e9);
        }
        rates.sort(null);
        return rates.get(2);
    }

    static List<Path> trainFiles(Path data, int perClass) throws Exception {
        List<Path> out = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve(SampleDataGenerator.CSV)).subList(1, 10 * perClass + 1)) {
            String[] f = line.split(",");
            if (f[2].equals("train")) {
                out.add(data.resolve(SampleDataGenerator.IMAGES).resolve(f[1]));
            }
        }
        return out;
    }

    /** The minibatches of the job's own pipeline: the cache's square, JPEG, centre crop, normalised. */
    List<DataSet> decodeBatches(List<Path> files) throws Exception {
        EvalTransform centre = new EvalTransform(imageSize);
        int resize = config(true).resizeSize;
        int per = 3 * imageSize * imageSize;
        List<DataSet> out = new ArrayList<>();
        for (int start = 0; start + batchSize <= files.size(); start += batchSize) {
            float[] x = new float[batchSize * per];
            float[] y = new float[batchSize * 10];
            for (int i = 0; i < batchSize; i++) {
                Path f = files.get(start + i);
                byte[] jpeg = ImageDecoder.encodeJpeg(ImageDecoder.centreSquare(
                        ImageDecoder.decodeRgb(Files.readAllBytes(f)), resize), ImageCache.JPEG_QUALITY);
                centre.centre(ImageDecoder.decodeCached(jpeg), x, i * per);
                y[i * 10 + classOf(f.getFileName().toString())] = 1;
            }
            out.add(new DataSet(Nd4j.create(x, new long[] {batchSize, 3, imageSize, imageSize}, 'c'),
                    Nd4j.create(y, new long[] {batchSize, 10}, 'c')));
        }
        return out;
    }

    static int classOf(String fileName) {
        for (int c = 0; c < SampleDataGenerator.CLASSES.length; c++) {
            if (fileName.startsWith(SampleDataGenerator.CLASSES[c][0])) {
                return c;
            }
        }
        throw new IllegalArgumentException(fileName);
    }

    /** One warm-up step, then every batch once; images per second of the timed steps. */
    static double plainFit(MultiLayerConfiguration conf, List<DataSet> batches) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        net.fit(batches.get(0));
        long t = System.nanoTime();
        long images = 0;
        for (DataSet ds : batches) {
            net.fit(ds);
            images += ds.numExamples();
        }
        return images / ((System.nanoTime() - t) / 1e9);
    }

    static Map<String, Object> machine() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.exists(cpuinfo)) {
            Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .ifPresent(l -> m.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
        }
        m.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        m.put("onednn_kernels", NativeKernels.oneDnn());
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
            {"Spark job, optimizer_state=averaged (images/s)", "spark_local_state_averaged.images_per_sec"},
            {"Spark job, optimizer_state=averaged / plain fit", "spark_local_state_averaged.ratio_to_plain"},
            {"decode tasks on executors (images/s/core)", "decode.executor_images_per_sec_per_core"},
            {"decode+resize+normalise, one JVM thread (images/s)", "decode.jvm_one_thread_images_per_sec"},
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
