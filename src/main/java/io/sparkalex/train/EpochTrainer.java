package io.sparkalex.train;

import io.sparkalex.averaging.ResidentAveragingMaster;
import io.sparkalex.averaging.RoundReportingMaster;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.PreparedSplit;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

/**
 * Trains the driver's network for one epoch at a time with DL4J parameter averaging over the
 * train split's minibatch files. Holds what lives as long as the run: DL4J's Spark wrapper, the
 * averaging master (whose resident workers must be released at the end) and the progress log.
 */
final class EpochTrainer implements AutoCloseable {
    private final JavaSparkContext sc;
    private final JobConfig config;
    private final MultiLayerNetwork network;
    private final RoundReportingMaster master;
    private final SparkDl4jMultiLayer sparkNet;
    private final JavaRDD<String> batches;
    private final long images;
    private final EpochProgress progress;

    /**
     * @param stateDir where resident workers exchange optimizer state (a folder of the work dir)
     * @param runId    names this run's networks in the executors
     */
    EpochTrainer(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network, PreparedSplit train,
                 Path stateDir, String runId) {
        this.sc = sc;
        this.config = config;
        this.network = network;
        this.master = master(config, workers, stateDir, runId);
        this.sparkNet = new SparkDl4jMultiLayer(sc, network, master);
        this.batches = sc.parallelize(train.paths(), Math.max(1, Math.min(workers, train.batches().size())));
        this.images = train.examples();
        this.progress = new EpochProgress(config.epochs, (long) workers * config.averagingFrequency * config.batchSize);
        master.setRoundListener(progress);
    }

    private static RoundReportingMaster master(JobConfig config, int workers, Path stateDir, String runId) {
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
            case RESIDENT -> new ResidentAveragingMaster(settings, stateDir.toString(), runId);
            case AVERAGED -> new RoundReportingMaster(settings);
        };
    }

    /** Images in one epoch of the train split. */
    long images() {
        return images;
    }

    /** One pass over the train split at the epoch's learning rate. */
    void trainOneEpoch(int epoch, boolean firstOfRun) {
        double lr = config.learningRateAt(epoch);
        if (firstOfRun || lr != config.learningRateAt(epoch - 1)) {
            network.setLearningRate(lr);
        }
        progress.begin(epoch, images);
        sc.setJobGroup("sparkalex-epoch-" + epoch, "epoch " + epoch + " training", false);
        try {
            sparkNet.fitPaths(batches);
        } finally {
            sc.clearJobGroup();
        }
    }

    /** Releases the worker networks this JVM holds for the run (all of them in local mode). */
    @Override
    public void close() {
        if (master instanceof ResidentAveragingMaster resident) {
            resident.releaseWorkers();
        }
    }
}
