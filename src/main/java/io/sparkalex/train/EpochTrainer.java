package io.sparkalex.train;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.BatchPlan;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.data.CachedSplit;
import io.sparkalex.eval.Divergence;
import io.sparkalex.eval.ScoreSums;
import io.sparkalex.eval.TrainingDiverged;
import io.sparkalex.eval.TrainingPassScorer;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/**
 * Trains the driver's network for one epoch at a time, across the workers by the configured
 * {@link EpochTraining} strategy: every training image once, in the epoch's own shuffled
 * minibatches ({@link BatchPlan}), loaded and augmented on the workers by {@link CacheBatchLoader}.
 * Holds what lives as long as the run: the strategy (released at the end) and the progress log.
 *
 * <p>Every worker scores the minibatches it fits ({@link TrainingPassScorer}); an epoch returns
 * their sums (the images fitted, the training loss and accuracy), and one that diverged (a
 * non-finite training loss or averaged parameter, {@link Divergence}) throws {@link TrainingDiverged}.
 */
final class EpochTrainer implements AutoCloseable {
    private final JobConfig config;
    private final MultiLayerNetwork network;
    private final CachedSplit train;
    private final EpochProgress progress;
    private final EpochTraining strategy;

    /** What an epoch did: where its averaging rounds' time went (none in sharing mode), and its training pass's sums. */
    record Trained(List<RoundBreakdown> rounds, ScoreSums pass) {
    }

    /**
     * @param stateDir where resident workers exchange optimizer state (a folder of the work dir)
     * @param runId    names this run's networks in the executors
     */
    EpochTrainer(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network, CachedSplit train,
                 CacheBatchLoader loader, Path stateDir, String runId) {
        this.config = config;
        this.network = network;
        this.train = train;
        this.progress = new EpochProgress(config.epochs);
        this.strategy = EpochTraining.of(sc, config, workers, network, loader, stateDir, runId, progress);
    }

    /**
     * One pass over every training image at learning rate {@code lr}; returns where its rounds' time
     * went and the training pass's sums.
     *
     * @throws TrainingDiverged when a training loss or an averaged parameter was not finite
     */
    Trained trainOneEpoch(int epoch, double lr) {
        List<String> batches = BatchPlan.training(train, config.batchSize, config.seed, epoch);
        progress.begin(epoch, train.examples());
        EpochTraining.Epoch done = strategy.train(epoch, lr, batches);
        String diverged = done.halted() != null ? done.halted() : Divergence.of(done.pass(), network.params());
        if (diverged != null) {
            throw TrainingDiverged.inEpoch(epoch, diverged);
        }
        return new Trained(done.rounds(), done.pass());
    }

    /** Releases the worker networks this JVM holds for the run (all of them in local mode). */
    @Override
    public void close() {
        strategy.close();
    }
}
