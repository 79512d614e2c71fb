package io.sparkalex.train;

import io.sparkalex.averaging.ResidentAveragingMaster;
import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.averaging.RoundReportingMaster;
import io.sparkalex.averaging.Transfer;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.BatchPlan;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.data.CachedSplit;
import io.sparkalex.eval.Divergence;
import io.sparkalex.eval.ScoreSums;
import io.sparkalex.eval.TrainingDiverged;
import io.sparkalex.eval.TrainingPassAccumulator;
import io.sparkalex.eval.TrainingPassScorer;
import io.sparkalex.sharing.GradientSharing;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

import java.util.List;

/**
 * Trains the driver's network for one epoch at a time with DL4J parameter averaging (or gradient
 * sharing, {@code training_mode}): every training image once, in the epoch's own shuffled
 * minibatches ({@link BatchPlan}), loaded and augmented on the workers by {@link CacheBatchLoader}.
 * Holds what lives as long as the run: DL4J's Spark wrapper, the averaging master (whose resident
 * workers and parameter exchange must be released at the end) and the progress log.
 *
 * <p>Every worker scores the minibatches it fits ({@link TrainingPassScorer}); an epoch returns
 * their sums (the images fitted, the training loss and accuracy), and one that diverged (a
 * non-finite training loss or averaged parameter, {@link Divergence}) throws {@link TrainingDiverged}.
 */
final class EpochTrainer implements AutoCloseable {
    private final JavaSparkContext sc;
    private final JobConfig config;
    private final MultiLayerNetwork network;
    /** The averaging master; null in sharing mode. */
    private final RoundReportingMaster master;
    private final SparkDl4jMultiLayer sparkNet;
    private final CachedSplit train;
    private final CacheBatchLoader loader;
    private final int workers;
    private final EpochProgress progress;
    /** Sharing mode: DL4J's workers' training-pass sums; null in averaging mode (the master has them). */
    private final TrainingPassAccumulator sharingPass;
    private double rate = Double.NaN;

    /** What an epoch did: where its averaging rounds' time went (none in sharing mode), and its training pass's sums. */
    record Trained(List<RoundBreakdown> rounds, ScoreSums pass) {
    }

    /**
     * @param stateDir where resident workers exchange optimizer state (a folder of the work dir)
     * @param runId    names this run's networks in the executors
     */
    EpochTrainer(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network, CachedSplit train,
                 CacheBatchLoader loader, Path stateDir, String runId) {
        this.sc = sc;
        this.config = config;
        this.network = network;
        this.train = train;
        this.loader = loader;
        this.workers = workers;
        this.progress = new EpochProgress(config.epochs);
        if (config.trainingMode == JobConfig.TrainingMode.SHARING) {
            this.master = null;
            this.sparkNet = new SparkDl4jMultiLayer(sc, network, GradientSharing.master(sc.getConf(), workers,
                    config.batchSize, config.prefetch, config.sharingThreshold, config.sharingPort,
                    config.sharingNetworkMask, config.seed));
            this.sharingPass = new TrainingPassAccumulator();
            sc.sc().register(sharingPass, "sparkalex-training-pass");
            sparkNet.setListeners(List.of(TrainingPassScorer.reportingTo(sharingPass, 0)));
        } else {
            this.master = master(config, workers, stateDir, runId);
            this.sparkNet = new SparkDl4jMultiLayer(sc, network, master);
            this.sharingPass = null;
            master.setRoundListener(progress);
        }
    }

    private static RoundReportingMaster master(JobConfig config, int workers, Path stateDir, String runId) {
        ParameterAveragingTrainingMaster.Builder settings = new ParameterAveragingTrainingMaster.Builder(workers,
                config.batchSize)
                .batchSizePerWorker(config.batchSize)
                .averagingFrequency(config.averagingFrequency)
                .workerPrefetchNumBatches(config.prefetch)
                // RoundReportingMaster already deals each round's minibatches into balanced partitions;
                // DL4J's default (Always) counts them with a Spark job and reshuffles them every round.
                .repartionData(Repartition.Never)
                // Averaged mode: without this Adam's moment estimates restart from zero after every average.
                .saveUpdater(true)
                .rngSeed(config.seed)
                .collectTrainingStats(false);
        return switch (config.optimizerState) {
            case RESIDENT -> new ResidentAveragingMaster(settings, stateDir.toString(), runId,
                    switch (config.parameterTransfer) {
                        case BF16 -> Transfer.BF16;
                        case FLOAT32 -> Transfer.FLOAT32;
                    }, config.exchangePort, config.exchangeRelay.enabled(workers));
            case AVERAGED -> new RoundReportingMaster(settings);
        };
    }

    /**
     * One pass over every training image at learning rate {@code lr}; returns where its rounds' time
     * went and the training pass's sums.
     *
     * @throws TrainingDiverged when a training loss or an averaged parameter was not finite
     */
    Trained trainOneEpoch(int epoch, double lr) {
        // Gradient sharing applies every worker's update on every worker, the sum of W steps where
        // averaging takes their mean: each worker steps at lr / W so that the two modes move alike.
        double step = master == null ? lr / workers : lr;
        if (step != rate) {
            network.setLearningRate(step);
            rate = step;
        }
        List<String> batches = BatchPlan.training(train, config.batchSize, config.seed, epoch);
        if (master != null) {
            master.beginEpoch(epoch, new java.util.SplittableRandom(config.seed ^ (0xBF58476D1CE4E5B9L * epoch))
                    .nextLong());
        }
        progress.begin(epoch, train.examples());
        if (sharingPass != null) {
            sharingPass.reset();
        }
        sc.setJobGroup("sparkalex-epoch-" + epoch, "epoch " + epoch + " training", false);
        try {
            sparkNet.fitPaths(sc.parallelize(batches, Math.max(1, Math.min(workers, batches.size()))), loader);
        } finally {
            sc.clearJobGroup();
        }
        List<RoundBreakdown> rounds = master == null ? List.of() : master.roundTimings();
        RoundReportingMaster.TrainingPass pass = master == null
                ? new RoundReportingMaster.TrainingPass(sharingPass.total(), null) : master.trainingPass();
        String diverged = pass.halted() != null ? pass.halted() : Divergence.of(pass.sums(), network.params());
        if (diverged != null) {
            throw TrainingDiverged.inEpoch(epoch, diverged);
        }
        return new Trained(rounds, pass.sums());
    }

    /** Releases the worker networks this JVM holds for the run (all of them in local mode). */
    @Override
    public void close() {
        if (master instanceof ResidentAveragingMaster resident) {
            resident.close();
        }
    }
}
