package io.sparkalex.storage;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One epoch's line in {@code metrics.jsonl} / {@code metrics.csv}. Losses are mean cross-entropy
 * in inference mode (no dropout); accuracies are fractions. {@code valTop5} is null with 5 or fewer
 * classes. {@code imagesPerSec} counts training only; {@code epochSeconds} includes evaluation.
 */
@JsonPropertyOrder({"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "val_top5", "images_per_sec",
        "epoch_seconds", "train_seconds", "eval_seconds", "lr", "train_images", "val_images", "timestamp"})
public record EpochMetrics(int epoch, double trainLoss, double trainAcc, double valLoss, double valAcc,
                           Double valTop5, double imagesPerSec, double epochSeconds, double trainSeconds,
                           double evalSeconds, double lr, long trainImages, long valImages, String timestamp) {
}
