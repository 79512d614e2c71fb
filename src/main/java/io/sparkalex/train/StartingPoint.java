package io.sparkalex.train;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.storage.Uris;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import io.sparkalex.model.PortableConfiguration;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Parallelism;
import io.sparkalex.storage.TestMetrics;
import io.sparkalex.storage.TrainingState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * Where a run starts: the state of {@code latest.zip} when {@code --out} has one (a rerun resumes),
 * or a new network at epoch 1. Decided before any image is decoded, so that a checkpoint that
 * cannot continue this run (other classes, other network shape) stops it at once. {@code bestTest}
 * is the test score {@code best.zip} carries (null before the run tested it).
 */
record StartingPoint(MultiLayerNetwork network, int nextEpoch, double bestValLoss, int bestEpoch,
                     List<EpochMetrics> history, TestMetrics bestTest, String warmStartedFrom) {
    private static final Logger log = LoggerFactory.getLogger(StartingPoint.class);

    /** @param parallelism this run's, as resolved on this cluster: a resume must keep the checkpoint's */
    static StartingPoint resolve(RunDirectory run, JobConfig config, Parallelism parallelism, ClassIndex classes,
                                 boolean fresh, RunOptions options, Configuration hadoop) throws IOException {
        CheckpointStore checkpoints = run.checkpoints;
        var latest = fresh ? java.util.Optional.<CheckpointStore.Checkpoint>empty()
                : checkpoints.load(CheckpointStore.LATEST);
        if (latest.isEmpty()) {
            MultiLayerNetwork network = NetworkFactory.newNetwork(config, classes.size());
            log.info("new AlexNet: {} parameters, input 3x{}x{}, {} classes", network.numParams(), config.imageSize,
                    config.imageSize, classes.size());
            String from = warmStart(network, config, classes, options, hadoop);
            return new StartingPoint(network, 1, Double.POSITIVE_INFINITY, 0, List.of(), null, from);
        }
        if (options.warmStart() != null) {
            log.info("resuming {}: --warm-start applies only to a run's first epoch and is ignored",
                    Uris.redact(run.dir.toString()));
        }
        TrainingState s = latest.get().state();
        JobConfig saved = JobConfig.fromJson(s.configJson());
        checkCompatible(s, saved, config, classes, run);
        checkParallelism(s.parallelism(), parallelism, options, run);
        if (saved.epochs != config.epochs) {
            log.info("epochs changed from {} to {}{}", saved.epochs, config.epochs,
                    config.lrSchedule == JobConfig.LrSchedule.COSINE ? "; the cosine schedule now ends at epoch "
                            + config.epochs : "");
        }
        // latest.zip is written before best.zip is copied from it: a crash in between is repaired here.
        if (s.bestEpoch() == s.epoch() && checkpoints.readState(CheckpointStore.BEST)
                .map(b -> b.epoch() != s.epoch()).orElse(true)) {
            log.info("the previous run stopped before copying its best epoch {} to {}; copying it now",
                    s.epoch(), CheckpointStore.BEST);
            checkpoints.copy(CheckpointStore.LATEST, CheckpointStore.BEST);
        }
        log.info("resuming from {} after epoch {} (best val_loss {} at epoch {})",
                Uris.redact(checkpoints.path(CheckpointStore.LATEST).toString()), s.epoch(), s.bestValLoss(), s.bestEpoch());
        // The metrics files follow the checkpoint: a crash between the two writes cannot leave them short.
        run.metrics.write(s.history());
        TestMetrics tested = checkpoints.readState(CheckpointStore.BEST).map(TrainingState::test).orElse(null);
        MultiLayerNetwork network = PortableConfiguration.withKernels(latest.get().network(), config.nativeKernels);
        String from = s.provenance() == null ? null : s.provenance().warmStartedFrom();
        return new StartingPoint(network, s.epoch() + 1, s.bestValLoss(), s.bestEpoch(), s.history(),
                tested, from);
    }

    /** Applies {@code --warm-start} to a new network; returns the model's URI, or null when it started from random weights. */
    private static String warmStart(MultiLayerNetwork network, JobConfig config, ClassIndex classes,
                                    RunOptions options, Configuration hadoop) throws IOException {
        if (options.warmStart() == null) {
            return null;
        }
        Path path = new Path(options.warmStart());
        if (!path.getFileSystem(hadoop).exists(path)) {
            if (options.warmStartOptional()) {
                log.info("--warm-start {} does not exist (yet): starting from random weights", Uris.redact(options.warmStart()));
                return null;
            }
            throw new ConfigError("--warm-start " + Uris.redact(options.warmStart()) + " does not exist (add "
                    + "--warm-start-optional to start from random weights when it is missing)");
        }
        WarmStart.apply(network, SavedModels.load(options.warmStart(), hadoop).requireFinite(), config, classes, options.reinitOutput());
        return Uris.redact(path.getFileSystem(hadoop).makeQualified(path).toString());
    }

    /** A checkpoint only continues a run with the same classes and the same network shape. */
    private static void checkCompatible(TrainingState s, JobConfig saved, JobConfig config, ClassIndex classes,
                                        RunDirectory run) {
        if (!s.classes().equals(classes.ids())) {
            throw new ConfigError("cannot resume from " + run.dir + ": its checkpoint has classes " + s.classes()
                    + " but the CSV's train split has " + classes.ids() + "; use --fresh or another --out");
        }
        List<String> changed = config.fixedChangesFrom(saved);
        if (!changed.isEmpty()) {
            throw new ConfigError("cannot resume from " + run.dir + ": " + String.join(", ", changed)
                    + "; these settings cannot change within a run ("
                    + String.join(", ", JobConfig.FIXED_WITHIN_A_RUN) + "): set them back, or use --fresh or another --out");
        }
    }

    /**
     * A resume keeps the checkpoint's workers, batch size and averaging frequency: another global
     * minibatch, or another number of minibatches per average, is another computation (and
     * {@code workers = 0} follows whatever the cluster has now). Changed only on request.
     */
    private static void checkParallelism(Parallelism saved, Parallelism now, RunOptions options, RunDirectory run) {
        if (saved == null) {
            log.info("the checkpoint was saved by a build that did not record its parallelism; resuming with "
                    + "workers={}, batch_size={}, averaging_frequency={}", now.workers(), now.batchSize(),
                    now.averagingFrequency());
            return;
        }
        List<String> changes = now.changesFrom(saved);
        if (changes.isEmpty()) {
            return;
        }
        if (!options.allowParallelismChange()) {
            throw new ConfigError("cannot resume from " + run.dir + ": " + String.join(", ", changes)
                    + "; a resume with other workers, batch_size or averaging_frequency trains another way than the "
                    + "run it continues (workers=0 takes the cluster's cores, which may have changed: set workers="
                    + saved.workers() + "). Set them back, or pass --allow-parallelism-change to accept the change");
        }
        log.warn("resuming with {} (--allow-parallelism-change): the global minibatch goes from {} to {} images",
                String.join(", ", changes), saved.globalBatch(), now.globalBatch());
    }

    /**
     * The run has nothing left to do: every configured epoch is in the checkpoint (or early stopping
     * ended it) and, where the
     * data has a test split, {@code best.zip} carries its test metrics (written last).
     */
    boolean finished(JobConfig config, boolean hasTestSplit) {
        return (nextEpoch > config.epochs || stopReason(config).isPresent()) && (bestTest != null || !hasTestSplit);
    }

    /** Why training is over before {@code epochs} (early stopping), from the history alone. */
    java.util.Optional<String> stopReason(JobConfig config) {
        return EarlyStopping.stopReason(history, config.patience, config.minDelta);
    }
}
