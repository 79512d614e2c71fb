package io.sparkalex.train;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.eval.TrainingPassAccumulator;
import io.sparkalex.eval.TrainingPassScorer;
import io.sparkalex.monitor.JobProgress;
import io.sparkalex.sharing.GradientSharing;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;

import java.util.List;

/**
 * Gradient sharing ({@code training_mode = sharing}, {@link GradientSharing}): every worker
 * applies every worker's thresholded update, so each steps at {@code lr / workers} to move as far
 * as averaging's mean does. DL4J reuses the first epoch's worker networks and their listeners, so
 * the training pass is summed by one accumulator registered for the run (see docs/dl4j-hooks.md).
 * DL4J's loop reports no rounds: the epoch's progress line counts the minibatches the workers load
 * ({@link CountingLoader}, {@link JobProgress}).
 */
final class SharingEpochs extends SparkEpochs {
    private final TrainingPassAccumulator pass = new TrainingPassAccumulator();
    private final JobConfig config;

    SharingEpochs(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network,
                  CacheBatchLoader loader) {
        super(sc, network, master(sc, config, workers), workers, loader);
        this.config = config;
        sc.sc().register(pass, "sparkalex-training-pass");
        sparkNet.setListeners(List.of(TrainingPassScorer.reportingTo(pass, 0)));
    }

    /**
     * Gradient sharing's transport (DL4J's Aeron UDP) authenticates nothing and reads every message
     * with Java deserialisation: on an application that runs with {@code spark.authenticate} it
     * starts only when {@code sharing_trusted_network} says every host that reaches its ports is
     * trusted.
     *
     * @throws ConfigError (exit 2) otherwise
     */
    static void refuseUntrusted(SparkConf spark, JobConfig config) {
        if (spark.getBoolean("spark.authenticate", false) && !config.sharingTrustedNetwork) {
            throw new ConfigError("training_mode = sharing on an application with spark.authenticate: DL4J's "
                    + "gradient sharing sends every update over UDP (sharing_port " + config.sharingPort + " and up) "
                    + "unauthenticated and unencrypted, and deserialises whatever it receives. Use training_mode = "
                    + "averaging, or set sharing_trusted_network = true if every host that can reach those ports is "
                    + "trusted (docs/security.md)");
        }
    }

    private static SharedTrainingMaster master(JavaSparkContext sc, JobConfig config, int workers) {
        refuseUntrusted(sc.getConf(), config);
        return GradientSharing.master(sc.getConf(), workers, config.batchSize, config.prefetch,
                config.sharingThreshold, config.sharingPort, config.sharingNetworkMask, config.seed);
    }

    @Override
    public Epoch train(int epoch, double lr, List<String> minibatches) {
        stepAt(lr / workers);
        pass.reset();
        try (JobProgress progress = JobProgress.start(sc.sc(), "epoch " + epoch + "/" + config.epochs
                + " sharing minibatches", minibatches.size(), config.progressIntervalSeconds)) {
            fit(epoch, minibatches, new CountingLoader(loader, progress.counter()));
        }
        return new Epoch(List.of(), pass.total(), null);
    }
}
