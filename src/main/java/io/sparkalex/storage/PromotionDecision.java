package io.sparkalex.storage;

/**
 * {@code promotion.json}: whether a run's {@code best.zip} replaced the model at the promotion
 * location, and why. Both models are scored on the same (this run's) val split with
 * {@code metric}; the candidate must beat the incumbent by more than {@code minGain}.
 *
 * @param incumbentValue     the promoted model's score, null when there was none or it could not be scored
 * @param incumbentProvenance where the model that was promoted before came from (null when none)
 */
public record PromotionDecision(boolean promoted, String reason, String metric, double minGain, String location,
                                String candidate, int candidateEpoch, double candidateValue, Double incumbentValue,
                                Provenance incumbentProvenance, String decidedAt) {
}
