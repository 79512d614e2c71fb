package io.sparkalex.train;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.data.CachedData;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.data.SplitTable;
import io.sparkalex.data.Synsets;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.eval.Evaluator;
import io.sparkalex.eval.TrainingDiverged;
import io.sparkalex.monitor.MetricsPusher;
import io.sparkalex.storage.DataProfile;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.FileDigest;
import io.sparkalex.storage.OutputLease;
import io.sparkalex.storage.Parallelism;
import io.sparkalex.storage.PromotionDecision;
import io.sparkalex.storage.Provenance;
import io.sparkalex.storage.RunStatus;
import io.sparkalex.storage.TestMetrics;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The training run, read top to bottom like the reference script's {@code train()}: read the
 * split CSV, build or resume AlexNet, open (or build) the decoded-image cache, then per epoch
 * train across the workers ({@link EpochTrainer}), score val ({@link EpochScores}) and tell the
 * outputs ({@link EpochListener}); at the end, test the best model ({@link BestModelTest}).
 * Each step is a class of its own; this class only says in which order they run.
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
    /** Resolved when the run starts, from the executors' task slots ({@link WorkerSlots}). */
    private int workers;

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
        log.info("configuration:\n{}", Uris.redact(config.describe()));
        workers = WorkerSlots.resolve(sc.sc(), config);
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
        RunInputs inputs = new RunInputs(spark, config, where);
        Provenance provenance = inputs.provenance(table, csvSha256, start.warmStartedFrom());
        board.history(start.history());
        board.publish(board.status().progress(start.nextEpoch() - 1,
                EpochHistory.best(start.history(), start.bestEpoch()),
                start.nextEpoch() == 1 ? "training" : "resumed after epoch " + (start.nextEpoch() - 1)));
        PromotionDecision earlier = run.readPromotion();
        if (start.finished(config, table.count("test") > 0) && (options.promoteTo() == null || earlier != null)) {
            log.info("all {} epochs are already done in {}; nothing to do (raise epochs to train further, "
                    + "or --fresh to start over)", config.epochs, Uris.redact(run.dir.toString()));
            finish(board, start.stopReason(config).orElse(null), start.bestTest(), earlier);
            return new Result(start.history(), start.bestEpoch(), start.bestTest());
        }
        CachedData data = inputs.openCache(run, table, classes, csvSha256, workers);
        DataProfile profile = RunInputs.profile(table, data);
        board.badRowFraction(profile.badFraction().get(DataProfile.OVERALL));
        new PromotedModel(sc, config, options).checkDrift(board, profile);
        EpochHistory history = new EpochHistory(start);
        RunReporter reporter = new RunReporter(run, config, run.readDataReport(), provenance);
        CacheBatchLoader loader = new CacheBatchLoader(config.imageSize, classes.size(), inputs.augmentation(),
                config.seed, sc.hadoopConfiguration());
        Evaluator evaluator = new Evaluator(sc, workers, loader, config.imageSize, config.progressIntervalSeconds);
        EpochScores scorer = new EpochScores(sc, config, evaluator, classes, data.split("train"), data.split("val"));
        MultiLayerNetwork network = start.network();
        Optional<String> stop = start.stopReason(config);
        boolean trained = false;
        try (CheckpointWriter checkpoints = new CheckpointWriter(run, new CheckpointWriter.RunFacts(config.toJson(),
                classes, provenance, profile, parallelism));
             EpochTrainer trainer = new EpochTrainer(sc, config, workers, network, data.split("train"), loader,
                     new Path(run.workDir(), "optimizer-state"), runId)) {
            List<EpochListener> outputs = outputs(run, checkpoints, reporter, board);
            for (int epoch = start.nextEpoch(); epoch <= config.epochs && stop.isEmpty(); epoch++) {
                double lr = LearningRateSchedule.rateAt(config, workers, epoch, history.epochs());
                WorkerSlots.ensure(sc.sc(), config, workers, epoch);
                Instant started = Instant.now();
                long t0 = System.nanoTime();
                EpochTrainer.Trained done = trainer.trainOneEpoch(epoch, lr);
                long t1 = System.nanoTime();
                EpochScores.Scores scores = scorer.evaluate(network, epoch);
                if (!Double.isFinite(scores.val().loss())) {
                    throw TrainingDiverged.inEpoch(epoch, "val loss " + scores.val().loss());
                }
                EpochListener.EpochEnd end = history.add(scorer.metrics(epoch, lr, done.pass(), scores, started, t0, t1),
                        done.rounds(), network);
                for (EpochListener output : outputs) {
                    output.epochEnded(end);
                }
                trained = true;
                stop = EarlyStopping.stopReason(history.epochs(), config.patience, config.minDelta);
                stop.ifPresent(log::info);
            }
            checkpoints.awaitCopy();   // best.zip whole before it is tested
        }
        TestMetrics tested = start.bestTest();
        if (trained || tested == null) {
            EvaluationReport test = BestModelTest.run(run, config, data.split("test"), evaluator, history.bestEpoch(),
                    classes);
            reporter.update(history.epochs(), history.bestEpoch(), test, true);
            tested = test == null ? null : BestModelTest.metrics(test, history.bestEpoch());
        }
        log.info(String.format(Locale.ROOT, "best val_loss %.4f at epoch %d; outputs in %s", history.bestValLoss(),
                history.bestEpoch(), Uris.redact(run.dir.toString())));
        PromotionDecision promotion = options.promoteTo() == null ? null : new PromotedModel(sc, config, options)
                .promote(run, runId, evaluator, scorer.val(), history.best(), classes);
        run.clearWorkDir();
        finish(board, stop.orElse(null), tested, promotion);
        return new Result(history.epochs(), history.bestEpoch(), tested);
    }

    /**
     * The run's outputs, told in this order after every epoch: the checkpoint first (what a rerun
     * resumes from), the metrics files that follow it, the rounds log, the report, and last the
     * status board (run-status.json and the Pushgateway).
     */
    private static List<EpochListener> outputs(RunDirectory run, CheckpointWriter checkpoints, RunReporter reporter,
                                               RunStatusBoard board) {
        EpochListener metricsFiles = e -> run.metrics.write(e.history());
        EpochListener roundsLog = e -> {
            if (!e.rounds().isEmpty()) {   // none in sharing mode
                log.info("epoch {} averaging: {}", e.epoch(), RoundBreakdown.summary(e.rounds()));
                run.writeRounds(e.epoch(), e.rounds());
            }
        };
        return List.of(checkpoints, metricsFiles, roundsLog, reporter, board);
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
}
