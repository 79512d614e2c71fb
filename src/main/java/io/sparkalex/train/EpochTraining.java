package io.sparkalex.train;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.averaging.RoundReportingMaster;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.eval.ScoreSums;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/**
 * One epoch of training across the workers, whichever way they combine their work: the resident
 * exchange ({@link ResidentEpochs}, the default), DL4J's own averaging master
 * ({@link AveragedEpochs}, {@code optimizer_state = averaged}) or gradient sharing
 * ({@link SharingEpochs}, {@code training_mode = sharing}). {@link #of} is the one place that
 * chooses; the epoch loop knows only this interface.
 */
public interface EpochTraining extends AutoCloseable {
    /**
     * What an epoch did: where its averaging rounds' time went (none in sharing mode), its training
     * pass's sums (images fitted, loss, hits), and why it halted early (training diverged), or null.
     */
    record Epoch(List<RoundBreakdown> rounds, ScoreSums pass, String halted) {
    }

    /**
     * Fits {@code minibatches} (the epoch's, in order; names {@link CacheBatchLoader} loads on the
     * workers) into the driver's network at learning rate {@code lr}.
     */
    Epoch train(int epoch, double lr, List<String> minibatches);

    /** Releases what the strategy holds for the run (resident workers' networks, the exchange). */
    @Override
    void close();

    /**
     * The strategy the configuration asks for, training {@code network} on {@code workers} workers.
     *
     * @param stateDir where resident workers exchange optimizer state (a folder of the work dir)
     * @param runId    names this run's networks in the executors
     * @param rounds   told after each averaging round (the progress log)
     */
    static EpochTraining of(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network,
                            CacheBatchLoader loader, Path stateDir, String runId,
                            RoundReportingMaster.RoundListener rounds) {
        if (config.trainingMode == JobConfig.TrainingMode.SHARING) {
            return new SharingEpochs(sc, config, workers, network, loader);
        }
        return switch (config.optimizerState) {
            case RESIDENT -> new ResidentEpochs(sc, config, workers, network, loader, stateDir, runId, rounds);
            case AVERAGED -> new AveragedEpochs(sc, config, workers, network, loader, rounds);
        };
    }
}
