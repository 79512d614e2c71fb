package io.sparkalex.storage;

/**
 * {@code test-metrics.json}: the best model (by val loss) scored on the test split at the end of a
 * run. {@code testTop5} is null with 5 classes or fewer.
 */
public record TestMetrics(int bestEpoch, double testLoss, double testAcc, Double testTop5, long testImages) {
}
