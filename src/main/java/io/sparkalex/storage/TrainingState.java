package io.sparkalex.storage;

import java.util.List;
import java.util.Map;

/**
 * Everything besides the network that a checkpoint must carry so that a run can be resumed,
 * checked for compatibility, or repeated: the completed epoch, best-so-far validation loss, the
 * effective configuration, the class list and the metrics history, plus provenance.
 */
public record TrainingState(int epoch, double bestValLoss, int bestEpoch, String configJson,
                            List<String> classes, Map<String, String> classNames, List<EpochMetrics> history,
                            Provenance provenance) {
}
