package io.sparkalex.storage;

import java.util.List;

/**
 * The data drift check of a run against the model it would replace (in {@code run-status.json}):
 * the largest change of a class's share of the train split, the rise in the bad-row fraction, the
 * classes that appeared or vanished, and whether any of it crossed the configured thresholds.
 */
public record DriftReport(String reference, boolean drifted, String action, double maxClassShareChange,
                          String classWithLargestChange, double badFractionIncrease, List<String> newClasses,
                          List<String> missingClasses, List<String> findings) {
}
