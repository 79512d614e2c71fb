package io.sparkalex.train;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.Augmentation;
import io.sparkalex.data.BatchPlan;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.data.CachedData;
import io.sparkalex.data.CachedSplit;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.data.DataQualityGate;
import io.sparkalex.data.ImageCache;
import io.sparkalex.data.SplitTable;
import io.sparkalex.data.Synsets;
import io.sparkalex.eval.EvalResult;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.eval.Evaluator;
import io.sparkalex.eval.ScoreSums;
import io.sparkalex.eval.TrainingDiverged;
import io.sparkalex.model.PortableConfiguration;
import io.sparkalex.monitor.MetricsPusher;
import io.sparkalex.storage.BuildInfo;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.DataProfile;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.FileDigest;
import io.sparkalex.storage.OutputLease;
import io.sparkalex.storage.Parallelism;
import io.sparkalex.storage.PromotionDecision;
import io.sparkalex.storage.Provenance;
import io.sparkalex.storage.RunStatus;
import io.sparkalex.storage.TestMetrics;
import io.sparkalex.storage.TrainingState;
import io.sparkalex.storage.Uris;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The training run, read top to bottom like the reference script's {@code train()}: read the
 * split CSV, build or resume AlexNet, open (or build) the decoded-image cache, then per epoch
 * train with parameter averaging, evaluate train and val, and record; at the end, test the best model.
 * Each step is a method or class of its own; this class only says in which order they run.
 */
public final class TrainingJob {
    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);

    /** What a finished run reports to its caller (the CLI, a test, a scheduler wrapper). */
    public record Result(List<EpochMetrics> history, int bestEpoch, TestMetrics test) {
    }

    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final JobConfig config;
    private final Locations where;
    private final boolean fresh;
    private final RunOptions options;
    private final int workers;

    /** @param fresh ignore checkpoints in the output directory and start at epoch 1 */
    public TrainingJob(SparkSession spark, JobConfig config, Locations where, boolean fresh) {
        this(spark, config, where, fresh, RunOptions.NONE);
    }

    public TrainingJob(SparkSession spark, JobConfig config, Locations where, boolean fresh, RunOptions options) {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.config = config;
        this.where = where;
        this.fresh = fresh;
        this.options = options;
        this.workers = config.workers > 0 ? config.workers : sc.defaultParallelism();
    }

    /**
     * Runs (or resumes, or finds already done) the training over {@code --out}, holding its lease
     * throughout; every way it ends is recorded in {@code run-status.json}, success last of all by
     * {@code _SUCCESS}.
     */
    public Result run() throws IOException {
        String runId = UUID.randomUUID().toString();
        try (RunDirectory run = RunDirectory.open(where.out(), sc.hadoopConfiguration(), runId,
                Duration.ofSeconds(config.leaseTimeoutSeconds));
             MetricsPusher pusher = MetricsPusher.to(config.metricsPushUrl, options.runName(),
                     Duration.ofSeconds(config.metricsPushTimeoutSeconds))) {
            RunStatusBoard board = new RunStatusBoard(run, pusher, RunStatus.started(runId, options.runName(),
                    sc.sc().applicationId(), Uris.redact(run.dir.toString()), config.epochs));
            board.start();
            try {
                return run(run, runId, board);
            } catch (OutputLease.HeldException e) {
                throw e;   // the directory is another run's now: nothing more is written to it
            } catch (Throwable e) {
                board.fail(options.exitCodes().applyAsInt(e), Uris.redact(String.valueOf(e.getMessage() != null
                        ? e.getMessage() : e.toString())));
                throw e;
            }
        }
    }

    private Result run(RunDirectory run, String runId, RunStatusBoard board) throws IOException {
        log.info("configuration:\n{}", config.describe());
        if (sc.isLocal()) {
            LocalThreads.limit(workers, config.threadsPerWorker);
        }
        SplitTable table = SplitTable.read(spark, where.csv());
        ClassIndex classes = table.classes(Synsets.load(where.synsets(), where.csv(), sc.hadoopConfiguration()));
        log.info("CSV {}: {} rows per split; {} classes", Uris.redact(where.csv()), table.counts(), classes.size());
        String csvSha256 = FileDigest.sha256(where.csv(), sc.hadoopConfiguration());

        if (fresh) {
            run.moveOutputsAside();
            run.clearSuccess();
        }
        Parallelism parallelism = new Parallelism(workers, config.batchSize, config.averagingFrequency);
        StartingPoint start = StartingPoint.resolve(run, config, parallelism, classes, fresh, options,
                sc.hadoopConfiguration());
        Provenance provenance = provenance(table, csvSha256, start.warmStartedFrom());
        board.history(start.history());
        board.publish(board.status().progress(start.nextEpoch() - 1, best(start.history(), start.bestEpoch()),
                start.nextEpoch() == 1 ? "training" : "resumed after epoch " + (start.nextEpoch() - 1)));
        PromotionDecision earlier = run.readPromotion();
        if (start.finished(config, table.count("test") > 0) && (options.promoteTo() == null || earlier != null)) {
            log.info("all {} epochs are already done in {}; nothing to do (raise epochs to train further, "
                    + "or --fresh to start over)", config.epochs, run.dir);
            finish(board, start.stopReason(config).orElse(null), start.bestTest(), earlier);
            return new Result(start.history(), start.bestEpoch(), start.bestTest());
        }
        CachedData data = openCache(run, table, classes, csvSha256);
        DataProfile profile = profile(table, data);
        board.badRowFraction(profile.badFraction().get(DataProfile.OVERALL));
        new PromotedModel(sc, config, options).checkDrift(board, profile);
        EpochRecorder recorder = new EpochRecorder(run, start, (epoch, bestLoss, bestEpoch, history) ->
                new TrainingState(epoch, bestLoss, bestEpoch, config.toJson(), classes.ids(), classes.namesById(),
                        history, provenance.savedNow(), null, profile, parallelism));
        RunReporter reporter = new RunReporter(run, config, run.readDataReport(), provenance);
        CacheBatchLoader loader = new CacheBatchLoader(config.imageSize, classes.size(), augmentation(), config.seed,
                sc.hadoopConfiguration());
        Evaluator evaluator = new Evaluator(sc, workers, loader, config.imageSize);
        List<String> trainSample = sample(BatchPlan.evaluation(data.split("train"), config.batchSize),
                config.trainEvalFraction, config.seed);
        List<String> val = BatchPlan.evaluation(data.split("val"), config.batchSize);
        MultiLayerNetwork network = start.network();
        Optional<String> stop = start.stopReason(config);
        boolean trained = false;
        try (recorder; EpochTrainer trainer = new EpochTrainer(sc, config, workers, network, data.split("train"),
                loader, new Path(run.workDir(), "optimizer-state"), runId)) {
            for (int epoch = start.nextEpoch(); epoch <= config.epochs && stop.isEmpty(); epoch++) {
                double lr = LearningRateSchedule.rateAt(config, epoch, recorder.history());
                Instant started = Instant.now();
                long t0 = System.nanoTime();
                EpochTrainer.Trained done = trainer.trainOneEpoch(epoch, lr);
                long t1 = System.nanoTime();
                if (!done.rounds().isEmpty()) {   // none in sharing mode
                    log.info("epoch {} averaging: {}", epoch, RoundBreakdown.summary(done.rounds()));
                    run.writeRounds(epoch, done.rounds());
                }
                Scores scores = evaluate(evaluator, network, epoch, trainSample, val);
                if (!Double.isFinite(scores.val().loss())) {
                    throw TrainingDiverged.inEpoch(epoch, "val loss " + scores.val().loss());
                }
                recorder.record(metrics(epoch, lr, done.pass(), scores, classes, started, t0, t1), network);
                trained = true;
                reporter.update(recorder.history(), recorder.bestEpoch(), null, false);
                stop = EarlyStopping.stopReason(recorder.history(), config.patience, config.minDelta);
                stop.ifPresent(log::info);
                board.history(recorder.history());
                board.publish(board.status().progress(epoch, best(recorder.history(), recorder.bestEpoch()),
                        "epoch " + epoch + " of " + config.epochs + " done"));
            }
            recorder.awaitCopy();   // best.zip whole before it is tested
        }
        TestMetrics tested = start.bestTest();
        if (trained || tested == null) {
            EvaluationReport test = testBestModel(run, data.split("test"), evaluator, recorder.bestEpoch(), classes);
            reporter.update(recorder.history(), recorder.bestEpoch(), test, true);
            tested = test == null ? null : testMetrics(test, recorder.bestEpoch());
        }
        log.info(String.format(Locale.ROOT, "best val_loss %.4f at epoch %d; outputs in %s", recorder.bestValLoss(),
                recorder.bestEpoch(), run.dir));
        PromotionDecision promotion = options.promoteTo() == null ? null : new PromotedModel(sc, config, options)
                .promote(run, runId, evaluator, val, best(recorder.history(), recorder.bestEpoch()), classes);
        run.clearWorkDir();
        finish(board, stop.orElse(null), tested, promotion);
        return new Result(recorder.history(), recorder.bestEpoch(), tested);
    }

    /** The final status (which of the three successes) and {@code _SUCCESS}. */
    private void finish(RunStatusBoard board, String stopReason, TestMetrics test, PromotionDecision promotion)
            throws IOException {
        RunStatus.State state = promotion != null && !promotion.promoted() ? RunStatus.State.NOT_PROMOTED
                : stopReason != null ? RunStatus.State.STOPPED_EARLY : RunStatus.State.SUCCEEDED;
        String reason = switch (state) {
            case NOT_PROMOTED -> "not promoted: " + promotion.reason();
            case STOPPED_EARLY -> stopReason;
            default -> "trained " + board.status().epoch() + " epochs" + (promotion == null ? ""
                    : "; promoted: " + promotion.reason());
        };
        board.succeed(board.status().finished(state, reason, test, stopReason, promotion));
    }

    /** The metrics of the best epoch in {@code history}, or null before the first epoch. */
    private static EpochMetrics best(List<EpochMetrics> history, int bestEpoch) {
        return history.stream().filter(m -> m.epoch() == bestEpoch).findFirst().orElse(null);
    }

    /** Class counts (from the CSV) and unusable-row shares (from the cache build) of this run's data. */
    private static DataProfile profile(SplitTable table, CachedData data) {
        Map<String, Double> bad = new TreeMap<>();
        data.splits().forEach((name, split) -> bad.put(name, split.report().badFraction()));
        bad.put(DataProfile.OVERALL, data.overall().badFraction());
        return new DataProfile(table.classCounts(), bad);
    }

    /** Opens the image cache (building it on the executors if needed), reports on the rows, and gates. */
    private CachedData openCache(RunDirectory run, SplitTable table, ClassIndex classes, String csvSha256)
            throws IOException {
        run.clearWorkDir();
        int tasks = config.decodePartitions > 0 ? config.decodePartitions : 4 * workers;
        CachedData data = new ImageCache(spark, new ImageCache.Settings(run.cacheDir(config.cacheDir), where.images(),
                config.resizeSize, ImageCache.JPEG_QUALITY, ImageCache.SHARD_SIZE, tasks, config.maxImageBytes))
                .open(table, classes, csvSha256);
        DataQualityGate gate = new DataQualityGate(config.maxBadFraction);
        run.writeDataReport(gate.report(data, Uris.redact(where.csv()), Uris.redact(where.images())));
        log.info("data: {}", data.overall().summary());
        gate.check(data, run.dataReport().toString());
        return data;
    }

    /** The training-time augmentation the configuration switches on. */
    private Augmentation augmentation() {
        return new Augmentation(config.augmentCrop, config.augmentFlip, config.augmentColour, config.augmentMinScale);
    }

    /** An epoch's inference-mode scores: val, and the share of the training split when asked for (else null). */
    private record Scores(EvalResult val, EvalResult trainSample) {
    }

    /** Val (and train-sample) scores of the network as it is after {@code epoch}, in one broadcast. */
    private Scores evaluate(Evaluator evaluator, MultiLayerNetwork network, int epoch, List<String> trainSample,
                            List<String> val) {
        sc.setJobGroup("sparkalex-epoch-" + epoch, "epoch " + epoch + " evaluation", false);
        try {
            if (trainSample.isEmpty()) {
                return new Scores(evaluator.evaluate(network, List.of(new Evaluator.Batches(val, config.evalCrops)))
                        .get(0), null);
            }
            List<EvalResult> r = evaluator.evaluate(network, List.of(new Evaluator.Batches(val, config.evalCrops),
                    new Evaluator.Batches(trainSample, 1)));
            return new Scores(r.get(0), r.get(1));
        } finally {
            sc.clearJobGroup();
        }
    }

    /** The epoch's line: training from the training pass itself, val (and a train sample) from inference. */
    private EpochMetrics metrics(int epoch, double lr, ScoreSums pass, Scores scores, ClassIndex classes,
                                 Instant started, long t0, long t1) {
        long t2 = System.nanoTime();
        double trainSeconds = (t1 - t0) / 1e9;
        EvalResult val = scores.val();
        EvalResult sample = scores.trainSample();
        return new EpochMetrics(epoch, pass.loss(), pass.accuracy(), val.loss(), val.accuracy(), top5(val, classes),
                pass.examples() / trainSeconds, (t2 - t0) / 1e9, trainSeconds, (t2 - t1) / 1e9, lr,
                pass.examples(), val.examples(), Instant.now().toString(),
                sample == null ? null : sample.loss(), sample == null ? null : sample.accuracy(), started.toString());
    }

    /**
     * Scores {@code best.zip} on the test split, as {@code evaluate} does: writes
     * {@code eval-test.json}, {@code confusion-test.csv/.png} and {@code test-metrics.json}, logs the
     * per-class table and stores the test metrics in {@code best.zip}. Null without a test split.
     */
    private EvaluationReport testBestModel(RunDirectory run, CachedSplit testSplit, Evaluator evaluator,
                                           int bestEpoch, ClassIndex classes) throws IOException {
        if (testSplit == null || testSplit.examples() == 0 || !run.checkpoints.exists(CheckpointStore.BEST)) {
            return null;
        }
        MultiLayerNetwork best = PortableConfiguration.withKernels(
                run.checkpoints.load(CheckpointStore.BEST).orElseThrow().network(), config.nativeKernels);
        EvalResult r = evaluator.evaluate(best, List.of(new Evaluator.Batches(
                BatchPlan.evaluation(testSplit, config.batchSize), config.evalCrops))).get(0);
        EvaluationReport report = EvaluationReport.of(Uris.redact(run.checkpoints.path(CheckpointStore.BEST).toString()), "test",
                config.evalCrops, r, classes.ids(), classes.namesById(), testSplit.report().counts());
        TestMetrics test = testMetrics(report, bestEpoch);
        run.writeEvaluation(report);
        run.writeTestMetrics(test);
        run.checkpoints.updateState(CheckpointStore.BEST, state -> state.withTest(test));
        log.info("test (best model, epoch {}):\n{}", bestEpoch, report.table());
        return report;
    }

    /** The headline numbers of a test evaluation ({@code eval-test.json} has the per-class ones). */
    private static TestMetrics testMetrics(EvaluationReport r, int bestEpoch) {
        return new TestMetrics(bestEpoch, r.loss(), r.accuracy(), r.top5(), r.images());
    }

    /** Top-5 accuracy says nothing with 5 classes or fewer: null there. */
    private static Double top5(EvalResult r, ClassIndex classes) {
        return classes.size() > 5 ? r.top5Accuracy() : null;
    }

    /** The job's build, the CSV (hashed once per run) and this Spark application; saved with every checkpoint. */
    private Provenance provenance(SplitTable table, String csvSha256, String warmStartedFrom) throws IOException {
        BuildInfo build = BuildInfo.current();
        return new Provenance(build.version(), build.gitCommit(), qualified(where.csv()),
                csvSha256, table.counts(), qualified(where.images()),
                Instant.now().toString(), build.dl4jVersion(), build.nd4jBackend(), spark.version(),
                System.getProperty("java.version"), sc.master(), sc.sc().applicationId(), warmStartedFrom);
    }

    /**
     * A URI with its scheme and, for local paths, made absolute (provenance must name the file
     * wherever it is read), without credentials.
     */
    private String qualified(String uri) throws IOException {
        Path path = new Path(uri);
        return Uris.redact(path.getFileSystem(sc.hadoopConfiguration()).makeQualified(path).toString());
    }

    /**
     * A fixed, seed-determined share of the training batches for the inference-mode train metrics
     * ({@code train_eval_fraction}; 0: none, the default).
     */
    static List<String> sample(List<String> paths, double fraction, long seed) {
        if (fraction <= 0) {
            return List.of();
        }
        if (fraction >= 1.0) {
            return paths;
        }
        List<String> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new Random(seed));
        return List.copyOf(shuffled.subList(0, Math.max(1, (int) Math.ceil(fraction * paths.size()))));
    }
}
