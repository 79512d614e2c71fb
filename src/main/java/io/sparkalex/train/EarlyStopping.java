package io.sparkalex.train;

import io.sparkalex.storage.EpochMetrics;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Patience on the val loss: the run ends once {@code patience} epochs in a row brought no val loss
 * below the best so far minus {@code min_delta}. A pure function of the history, so a resumed run
 * (or a rerun of a finished one) reaches the same decision as the run that stopped.
 */
final class EarlyStopping {
    private EarlyStopping() {
    }

    /** Why the run should stop after the last epoch of {@code history}, or empty to go on. */
    static Optional<String> stopReason(List<EpochMetrics> history, int patience, double minDelta) {
        if (patience <= 0 || history.isEmpty()) {
            return Optional.empty();
        }
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int since = 0;
        for (EpochMetrics m : history) {
            if (m.valLoss() < best - minDelta) {
                best = m.valLoss();
                bestEpoch = m.epoch();
                since = 0;
            } else {
                since++;
            }
        }
        if (since < patience) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "early stopping after epoch %d: val_loss has not improved "
                        + "by more than min_delta=%s for %d epochs (patience=%d; best %.4f at epoch %d)",
                history.get(history.size() - 1).epoch(), minDelta, since, patience, best, bestEpoch));
    }
}
