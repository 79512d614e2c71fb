package io.sparkalex.storage;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One epoch's line in {@code metrics.jsonl} / {@code metrics.csv}. Accuracies are fractions, losses
 * mean cross-entropy. {@code trainLoss} and {@code trainAcc} are running means over the minibatches
 * the workers fitted, from those fits' own forward passes (with dropout and augmentation, before
 * each update), and {@code trainImages} counts those images, on the executors; {@code trainEvalLoss}
 * and {@code trainEvalAcc} are the optional inference-mode pass over a share of the training split
 * ({@code train_eval_fraction} > 0), null without it. Val losses are in inference mode.
 * {@code valTop5} is null with 5 or fewer classes. {@code imagesPerSec} counts training only;
 * {@code epochSeconds} is training plus evaluation; {@code started} and {@code timestamp} are when the
 * epoch began and when its metrics were taken (the wall time of an epoch, checkpoint and report
 * included, is one epoch's {@code started} to the next's). Fields added later are at the end, and
 * null in the history of checkpoints saved before they existed.
 */
@JsonPropertyOrder({"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "val_top5", "images_per_sec",
        "epoch_seconds", "train_seconds", "eval_seconds", "lr", "train_images", "val_images", "timestamp",
        "train_eval_loss", "train_eval_acc", "started"})
public record EpochMetrics(int epoch, double trainLoss, double trainAcc, double valLoss, double valAcc,
                           Double valTop5, double imagesPerSec, double epochSeconds, double trainSeconds,
                           double evalSeconds, double lr, long trainImages, long valImages, String timestamp,
                           Double trainEvalLoss, Double trainEvalAcc, String started) {
}
