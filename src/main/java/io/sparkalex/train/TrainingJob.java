package io.sparkalex.train;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.data.DataError;
import io.sparkalex.data.DataPreparation;
import io.sparkalex.data.DataReport;
import io.sparkalex.data.PreparedSplit;
import io.sparkalex.data.SplitTable;
import io.sparkalex.model.AlexNet;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Json;
import io.sparkalex.storage.MetricsLog;
import io.sparkalex.storage.TrainingState;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The training run, read top to bottom like the seed's {@code train()}: read the split CSV, decode
 * the images on the executors, build (or resume) AlexNet, then per epoch train with parameter
 * averaging, evaluate train and val, record metrics and write checkpoints.
 */
public final class TrainingJob {
    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);
    static final String TEST_METRICS = "test-metrics.json";
    static final String DATA_REPORT = "data-report.json";

    /** Where the data comes from and the results go; any Hadoop URIs. */
    public record Locations(String csv, String images, String out, String synsets) {
    }

    /** What a finished run reports back to its caller (the CLI, a test, a scheduler wrapper). */
    public record Result(List<EpochMetrics> history, int bestEpoch, double bestValLoss, EvalResult test,
                         DataReport dataReport, double decodeImagesPerSecPerCore, MultiLayerNetwork network,
                         ClassIndex classes) {
    }

    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final JobConfig config;
    private final Locations where;
    private final boolean fresh;

    public TrainingJob(SparkSession spark, JobConfig config, Locations where, boolean fresh) {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.config = config;
        this.where = where;
        this.fresh = fresh;
    }

    public Result run() throws IOException {
        Configuration hadoop = sc.hadoopConfiguration();
        Path out = new Path(where.out());
        FileSystem outFs = AtomicFiles.fileSystem(out, hadoop);
        outFs.mkdirs(out);
        AtomicFiles.cleanTemporaries(outFs, out);
        CheckpointStore checkpoints = new CheckpointStore(outFs, out);
        MetricsLog metricsLog = new MetricsLog(outFs, out);
        int workers = config.workers > 0 ? config.workers : sc.defaultParallelism();
        log.info("configuration:\n{}", config.describe());
        limitLocalThreads(workers);

        // 1. The split table and the class list, on the driver.
        SplitTable table = SplitTable.read(spark, where.csv());
        ClassIndex classes = table.classes(classNames(hadoop));
        log.info("CSV {}: {} rows per split; {} classes", where.csv(), table.counts(), classes.size());

        // 2. Resume or start (before decoding, so an incompatible checkpoint fails fast).
        Resume resume = resumeOrStart(checkpoints, classes);
        if (resume.nextEpoch > config.epochs && outFs.exists(new Path(out, TEST_METRICS))) {
            log.info("all {} epochs are already done in {}; nothing to do (raise epochs to train further, "
                    + "or --fresh to start over)", config.epochs, out);
            return new Result(resume.history, resume.bestEpoch, resume.bestValLoss, null, null, Double.NaN,
                    resume.network, classes);
        }

        // 3. Decode every split on the executors into minibatch files.
        Path workDir = new Path(out, "_work");
        outFs.delete(workDir, true);
        int decodePartitions = config.decodePartitions > 0 ? config.decodePartitions : 4 * workers;
        DataPreparation.Prepared prepared = new DataPreparation(spark, where.images(), workDir, config.imageSize,
                config.batchSize, decodePartitions, config.seed).prepare(table, classes);
        Map<String, PreparedSplit> splits = prepared.splits();
        DataReport report = writeDataReport(outFs, out, splits);
        PreparedSplit train = splits.get("train");
        PreparedSplit val = splits.get("val");
        if (train.examples() == 0 || val.examples() == 0) {
            throw new DataError("no usable images left in the " + (train.examples() == 0 ? "train" : "val")
                    + " split; see " + new Path(out, DATA_REPORT));
        }

        // 4. Train.
        MultiLayerNetwork network = resume.network;
        ParameterAveragingTrainingMaster master = trainingMaster(workers,
                outFs.makeQualified(new Path(workDir, "optimizer-state")));
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, network, master);
        JavaRDD<String> trainPaths = sc.parallelize(train.paths(), Math.max(1, Math.min(workers, train.batches().size())));
        List<String> trainEvalPaths = sample(train.paths(), config.trainEvalFraction, config.seed);
        Evaluator evaluator = new Evaluator(sc, workers);
        EpochProgress progress = new EpochProgress();
        spark.sparkContext().addSparkListener(progress);
        List<EpochMetrics> history = new ArrayList<>(resume.history);
        double bestValLoss = resume.bestValLoss;
        int bestEpoch = resume.bestEpoch;
        try {
            for (int epoch = resume.nextEpoch; epoch <= config.epochs; epoch++) {
                double lr = config.learningRateAt(epoch);
                if (epoch == resume.nextEpoch || lr != config.learningRateAt(epoch - 1)) {
                    network.setLearningRate(lr);
                }
                long t0 = System.nanoTime();
                progress.begin(epoch, config.epochs, train.examples(), train.batches().size(), workers,
                        config.averagingFrequency, config.batchSize);
                sc.setJobGroup("sparkalex-epoch-" + epoch, "epoch " + epoch + " training", false);
                sparkNet.fitPaths(trainPaths);
                progress.end();
                long t1 = System.nanoTime();
                sc.setJobGroup("sparkalex-epoch-" + epoch, "epoch " + epoch + " evaluation", false);
                List<EvalResult> eval = evaluator.evaluate(network, List.of(trainEvalPaths, val.paths()));
                sc.clearJobGroup();
                long t2 = System.nanoTime();

                EvalResult tr = eval.get(0);
                EvalResult va = eval.get(1);
                double trainSeconds = (t1 - t0) / 1e9;
                EpochMetrics m = new EpochMetrics(epoch, tr.loss(), tr.accuracy(), va.loss(), va.accuracy(),
                        classes.size() > 5 ? va.top5Accuracy() : null, train.examples() / trainSeconds,
                        (t2 - t0) / 1e9, trainSeconds, (t2 - t1) / 1e9, lr, train.examples(), va.examples(),
                        Instant.now().toString());
                history.add(m);
                log.info(summaryLine(m));

                boolean improved = va.loss() < bestValLoss;
                if (improved) {
                    log.info(String.format(Locale.ROOT, "val_loss improved from %.4f to %.4f; saving %s",
                            bestValLoss, va.loss(), checkpoints.path(CheckpointStore.BEST)));
                    bestValLoss = va.loss();
                    bestEpoch = epoch;
                }
                // latest first: it is what a rerun resumes from; best is a copy of it (a crash in
                // between is repaired on resume, see resumeOrStart). Metrics follow the checkpoint.
                checkpoints.save(CheckpointStore.LATEST, network,
                        state(epoch, bestValLoss, bestEpoch, classes, history));
                if (improved) {
                    checkpoints.copy(CheckpointStore.LATEST, CheckpointStore.BEST);
                }
                metricsLog.write(history);
            }
        } finally {
            progress.end();
            spark.sparkContext().removeSparkListener(progress);
            if (master instanceof ResidentAveragingMaster resident) {
                resident.releaseWorkers();
            }
        }

        // 5. Test split, on the best model.
        EvalResult test = null;
        PreparedSplit testSplit = splits.get("test");
        if (testSplit != null && testSplit.examples() > 0 && checkpoints.exists(CheckpointStore.BEST)) {
            MultiLayerNetwork best = checkpoints.load(CheckpointStore.BEST).orElseThrow().network();
            test = evaluator.evaluate(best, List.of(testSplit.paths())).get(0);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("best_epoch", bestEpoch);
            t.put("test_loss", test.loss());
            t.put("test_acc", test.accuracy());
            t.put("test_top5", classes.size() > 5 ? test.top5Accuracy() : null);
            t.put("test_images", test.examples());
            AtomicFiles.writeString(outFs, new Path(out, TEST_METRICS), Json.pretty(t) + "\n");
            log.info(String.format(Locale.ROOT, "test (best model, epoch %d): loss %.4f  acc %.4f%s", bestEpoch,
                    test.loss(), test.accuracy(),
                    classes.size() > 5 ? String.format(Locale.ROOT, "  top5 %.4f", test.top5Accuracy()) : ""));
        }
        log.info(String.format(Locale.ROOT, "best val_loss %.4f at epoch %d; outputs in %s", bestValLoss, bestEpoch, out));
        outFs.delete(workDir, true);
        return new Result(history, bestEpoch, bestValLoss, test, report, prepared.imagesPerSecondPerCore(), network,
                classes);
    }

    /**
     * In local mode every worker is a thread of this JVM, and ND4J's ops and BLAS calls each use
     * every core: W workers oversubscribe the machine W times. Give each worker its share.
     */
    private void limitLocalThreads(int workers) {
        if (!spark.sparkContext().isLocal()) {
            return;
        }
        int threads = config.threadsPerWorker > 0 ? config.threadsPerWorker
                : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
        log.info("local mode: {} workers, {} ND4J/BLAS threads each", workers, threads);
    }

    private ParameterAveragingTrainingMaster trainingMaster(int workers, Path stateDir) {
        ParameterAveragingTrainingMaster.Builder settings = new ParameterAveragingTrainingMaster.Builder(workers,
                config.batchSize)
                .batchSizePerWorker(config.batchSize)
                .averagingFrequency(config.averagingFrequency)
                .workerPrefetchNumBatches(config.prefetch)
                // Averaged mode: without this Adam's moment estimates restart from zero after every average.
                .saveUpdater(true)
                .rngSeed(config.seed)
                .collectTrainingStats(false);
        return switch (config.optimizerState) {
            case RESIDENT -> new ResidentAveragingMaster(settings, stateDir.toString());
            case AVERAGED -> settings.build();
        };
    }

    /** Where the run starts: a fresh network, or the state of {@code latest.zip}. */
    private record Resume(MultiLayerNetwork network, int nextEpoch, double bestValLoss, int bestEpoch,
                          List<EpochMetrics> history) {
    }

    private Resume resumeOrStart(CheckpointStore checkpoints, ClassIndex classes) throws IOException {
        if (!fresh) {
            var latest = checkpoints.load(CheckpointStore.LATEST);
            if (latest.isPresent()) {
                TrainingState s = latest.get().state();
                checkCompatible(s, classes);
                if (s.bestEpoch() == s.epoch() && checkpoints.readState(CheckpointStore.BEST)
                        .map(b -> b.epoch() != s.epoch()).orElse(true)) {
                    log.info("the previous run stopped before copying its best epoch {} to {}; copying it now",
                            s.epoch(), CheckpointStore.BEST);
                    checkpoints.copy(CheckpointStore.LATEST, CheckpointStore.BEST);
                }
                log.info("resuming from {} after epoch {} (best val_loss {} at epoch {})",
                        checkpoints.path(CheckpointStore.LATEST), s.epoch(), s.bestValLoss(), s.bestEpoch());
                return new Resume(latest.get().network(), s.epoch() + 1, s.bestValLoss(), s.bestEpoch(), s.history());
            }
        }
        MultiLayerNetwork network = new MultiLayerNetwork(
                AlexNet.configuration(AlexNet.Spec.of(config, classes.size())));
        network.init();
        log.info("new AlexNet: {} parameters, input 3x{}x{}, {} classes", network.numParams(), config.imageSize,
                config.imageSize, classes.size());
        return new Resume(network, 1, Double.POSITIVE_INFINITY, 0, List.of());
    }

    /** A checkpoint only continues a run with the same classes and the same network shape. */
    private void checkCompatible(TrainingState s, ClassIndex classes) {
        if (!s.classes().equals(classes.ids())) {
            throw new ConfigError("cannot resume from " + where.out() + ": its checkpoint has classes " + s.classes()
                    + " but the CSV's train split has " + classes.ids() + "; use --fresh or another --out");
        }
        JobConfig saved = JobConfig.fromJson(s.configJson());
        if (saved.imageSize != config.imageSize || saved.widthFactor != config.widthFactor) {
            throw new ConfigError("cannot resume from " + where.out() + ": its checkpoint has image_size="
                    + saved.imageSize + ", width_factor=" + saved.widthFactor + " but this run has image_size="
                    + config.imageSize + ", width_factor=" + config.widthFactor + "; use --fresh or another --out");
        }
    }

    private TrainingState state(int epoch, double bestValLoss, int bestEpoch, ClassIndex classes,
                                List<EpochMetrics> history) {
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("csv", where.csv());
        provenance.put("images", where.images());
        provenance.put("saved_at", Instant.now().toString());
        provenance.put("spark_version", spark.version());
        provenance.put("spark_master", spark.sparkContext().master());
        provenance.put("application_id", spark.sparkContext().applicationId());
        return new TrainingState(epoch, bestValLoss, bestEpoch, config.toJson(), classes.ids(),
                classes.namesById(), List.copyOf(history), provenance);
    }

    private Map<String, String> classNames(Configuration hadoop) throws IOException {
        Path synsets = where.synsets() != null ? new Path(where.synsets())
                : new Path(new Path(where.csv()).getParent(), "synset_words.txt");
        FileSystem fs = synsets.getFileSystem(hadoop);
        if (!fs.exists(synsets)) {
            if (where.synsets() != null) {
                throw new DataError("synset file " + synsets + " does not exist");
            }
            return Map.of();
        }
        return ClassIndex.parseSynsetWords(AtomicFiles.readString(fs, synsets));
    }

    private DataReport writeDataReport(FileSystem fs, Path out, Map<String, PreparedSplit> splits) throws IOException {
        DataReport all = new DataReport();
        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, Object> perSplit = new LinkedHashMap<>();
        for (PreparedSplit s : splits.values()) {
            all.merge(s.report());
            perSplit.put(s.name(), s.report().toMap());
        }
        json.put("csv", where.csv());
        json.put("images", where.images());
        json.putAll(all.toMap());
        json.put("bad_fraction", all.badFraction());
        json.put("max_bad_fraction", config.maxBadFraction);
        json.put("splits", perSplit);
        AtomicFiles.writeString(fs, new Path(out, DATA_REPORT), Json.pretty(json) + "\n");
        log.info("data: {}", all.summary());
        if (all.badFraction() > config.maxBadFraction) {
            var reason = all.worstReason();
            throw new DataError(String.format(Locale.ROOT,
                    "%d of %d rows (%.2f%%) cannot be used, above max_bad_fraction=%s; most are %s (%s), e.g. %s; "
                            + "see %s", all.skippedTotal(), all.rows(), 100 * all.badFraction(), config.maxBadFraction,
                    reason.name().toLowerCase(Locale.ROOT), reason.description(), all.examples(reason),
                    new Path(out, DATA_REPORT)));
        }
        return all;
    }

    /** A fixed, seed-determined share of the training batches for the per-epoch train metrics. */
    static List<String> sample(List<String> paths, double fraction, long seed) {
        if (fraction >= 1.0) {
            return paths;
        }
        List<String> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new Random(seed));
        return List.copyOf(shuffled.subList(0, Math.max(1, (int) Math.ceil(fraction * paths.size()))));
    }

    static String summaryLine(EpochMetrics m) {
        return String.format(Locale.ROOT,
                "epoch %d: train loss %.4f acc %.4f | val loss %.4f acc %.4f%s | %.1f images/s, %.0f s (train %.0f s, eval %.0f s), lr %.2g",
                m.epoch(), m.trainLoss(), m.trainAcc(), m.valLoss(), m.valAcc(),
                m.valTop5() == null ? "" : String.format(Locale.ROOT, " top5 %.4f", m.valTop5()),
                m.imagesPerSec(), m.epochSeconds(), m.trainSeconds(), m.evalSeconds(), m.lr());
    }
}
