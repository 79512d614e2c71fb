package io.sparkalex.storage;

import java.util.List;
import java.util.Map;

/**
 * Everything besides the network that a checkpoint must carry so that a run can be resumed,
 * checked for compatibility, or repeated: the completed epoch, best-so-far validation loss, the
 * effective configuration with its resolved parallelism, the class list and the metrics history,
 * plus provenance. {@code test} is set in {@code best.zip} once the run has scored it on the test
 * split (null before, and in {@code latest.zip}); {@code parallelism} is null in checkpoints saved
 * before it was recorded.
 */
public record TrainingState(int epoch, double bestValLoss, int bestEpoch, String configJson,
                            List<String> classes, Map<String, String> classNames, List<EpochMetrics> history,
                            Provenance provenance, TestMetrics test, DataProfile data, Parallelism parallelism) {

    public TrainingState withTest(TestMetrics metrics) {
        return new TrainingState(epoch, bestValLoss, bestEpoch, configJson, classes, classNames, history, provenance,
                metrics, data, parallelism);
    }

    /** The metrics of the epoch this checkpoint was saved after, or null for an empty history. */
    public EpochMetrics metrics() {
        return history.stream().filter(m -> m.epoch() == epoch).findFirst().orElse(null);
    }
}
