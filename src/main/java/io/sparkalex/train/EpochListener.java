package io.sparkalex.train;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.storage.EpochMetrics;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.util.List;

/**
 * An output of the run, told each time an epoch has ended (DJL's {@code TrainingListener} in
 * spirit): the checkpoint, the metrics files, the rounds log, the report, the status board and
 * its Pushgateway push are each one ({@link TrainingJob#outputs}). Adding an output adds a
 * listener; the epoch loop does not change. They are told in the order they are listed, the
 * checkpoint first: the metrics files must never name an epoch no checkpoint holds.
 */
@FunctionalInterface
interface EpochListener {
    /**
     * What an epoch ended with: its metrics, the run's history with it, the best epoch so far (and
     * its val loss; {@code improved}: this epoch is it), where its rounds' time went (none in
     * sharing mode) and the network as trained.
     */
    record EpochEnd(EpochMetrics metrics, List<EpochMetrics> history, int bestEpoch, double bestValLoss,
                    boolean improved, List<RoundBreakdown> rounds, MultiLayerNetwork network) {
        int epoch() {
            return metrics.epoch();
        }

        /** The best epoch's metrics. */
        EpochMetrics best() {
            return EpochHistory.best(history, bestEpoch);
        }
    }

    /** A failure fails the run (exit 4), except where the output says it is only for people (the report). */
    void epochEnded(EpochEnd end) throws IOException;
}
