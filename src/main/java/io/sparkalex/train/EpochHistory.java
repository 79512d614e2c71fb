package io.sparkalex.train;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.storage.EpochMetrics;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's epochs so far and the best of them (lowest val loss; a NaN is never best), from the
 * checkpoint it resumed from on; each new epoch is logged and turned into the
 * {@link EpochListener.EpochEnd} the outputs are told.
 */
final class EpochHistory {
    private static final Logger log = LoggerFactory.getLogger(EpochHistory.class);

    private final List<EpochMetrics> history;
    private double bestValLoss;
    private int bestEpoch;

    EpochHistory(StartingPoint start) {
        this.history = new ArrayList<>(start.history());
        this.bestValLoss = start.bestValLoss();
        this.bestEpoch = start.bestEpoch();
    }

    /** Adds the epoch {@code m} describes and logs its line. */
    EpochListener.EpochEnd add(EpochMetrics m, List<RoundBreakdown> rounds, MultiLayerNetwork network) {
        history.add(m);
        log.info(line(m));
        boolean improved = m.valLoss() < bestValLoss;
        if (improved) {
            log.info(String.format(Locale.ROOT, "val_loss improved from %.4f to %.4f", bestValLoss, m.valLoss()));
            bestValLoss = m.valLoss();
            bestEpoch = m.epoch();
        }
        return new EpochListener.EpochEnd(m, List.copyOf(history), bestEpoch, bestValLoss, improved, rounds, network);
    }

    List<EpochMetrics> epochs() {
        return List.copyOf(history);
    }

    double bestValLoss() {
        return bestValLoss;
    }

    int bestEpoch() {
        return bestEpoch;
    }

    /** The best epoch's metrics, or null before the first. */
    EpochMetrics best() {
        return best(history, bestEpoch);
    }

    /** Epoch {@code bestEpoch}'s metrics in {@code history}, or null (none yet). */
    static EpochMetrics best(List<EpochMetrics> history, int bestEpoch) {
        return history.stream().filter(m -> m.epoch() == bestEpoch).findFirst().orElse(null);
    }

    /** The epoch's log line, e.g. {@code epoch 9: train loss 0.2403 acc 0.9186 | val loss ... lr 0.00050}. */
    static String line(EpochMetrics m) {
        return String.format(Locale.ROOT,
                "epoch %d: train loss %.4f acc %.4f | val loss %.4f acc %.4f%s | %.1f images/s, %.0f s (train %.0f s, eval %.0f s), lr %.2g",
                m.epoch(), m.trainLoss(), m.trainAcc(), m.valLoss(), m.valAcc(),
                m.valTop5() == null ? "" : String.format(Locale.ROOT, " top5 %.4f", m.valTop5()),
                m.imagesPerSec(), m.epochSeconds(), m.trainSeconds(), m.evalSeconds(), m.lr());
    }
}
