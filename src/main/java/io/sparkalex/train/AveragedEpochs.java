package io.sparkalex.train;

import io.sparkalex.averaging.RoundReportingMaster;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.CacheBatchLoader;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Parameter averaging with DL4J's own rounds ({@code optimizer_state = averaged}): each round a
 * Spark job, its parameters and optimizer state broadcast, every worker's returned and averaged
 * ({@link RoundReportingMaster}). {@link ResidentEpochs} runs the same rounds through the exchange.
 */
class AveragedEpochs extends SparkEpochs {
    private final RoundReportingMaster master;
    private final long seed;

    AveragedEpochs(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network,
                   CacheBatchLoader loader, RoundReportingMaster.RoundListener rounds) {
        this(sc, config, workers, network, loader, new RoundReportingMaster(settings(config, workers)), rounds);
    }

    AveragedEpochs(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network,
                   CacheBatchLoader loader, RoundReportingMaster master, RoundReportingMaster.RoundListener rounds) {
        super(sc, network, master, workers, loader);
        this.master = master;
        this.seed = config.seed;
        master.setRoundListener(rounds);
    }

    /** DL4J's master settings for {@code workers} workers, as the configuration says. */
    static ParameterAveragingTrainingMaster.Builder settings(JobConfig config, int workers) {
        return new ParameterAveragingTrainingMaster.Builder(workers, config.batchSize)
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
    }

    @Override
    public Epoch train(int epoch, double lr, List<String> minibatches) {
        stepAt(lr);
        master.beginEpoch(epoch, new SplittableRandom(seed ^ (0xBF58476D1CE4E5B9L * epoch)).nextLong());
        fit(epoch, minibatches);
        RoundReportingMaster.TrainingPass pass = master.trainingPass();
        return new Epoch(master.roundTimings(), pass.sums(), pass.halted());
    }
}
