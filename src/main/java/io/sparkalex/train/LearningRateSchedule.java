package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.storage.EpochMetrics;

import java.util.List;

/**
 * The learning rate of each epoch: a pure function of the configuration, the epoch and the
 * metrics of the epochs before it, so a resumed run (whose history comes from the checkpoint)
 * continues with exactly the rate the uninterrupted run would have used.
 *
 * <ul>
 *   <li>warm-up: over the first {@code lr_warmup_epochs} epochs the rate rises linearly,
 *       {@code lr * e / (W + 1)}; the schedule then starts at its first epoch;
 *   <li>{@code step}: times {@code lr_decay_factor} every {@code lr_decay_every} epochs;
 *   <li>{@code plateau}: times {@code lr_decay_factor} each time val loss has not improved for
 *       {@code lr_patience} epochs (the paper's "divide by 10 when the validation error stops
 *       improving");
 *   <li>{@code cosine}: from {@code learning_rate} at the schedule's first epoch down to {@code lr_min}
 *       at the last ({@code epochs}, which a resumed run may raise: the curve then stretches to the
 *       new last epoch; one epoch after the warm-up trains at {@code learning_rate}).
 * </ul>
 * With {@code lr_scaling = linear}, {@code learning_rate} and {@code lr_min} are one worker's and
 * every rate above is multiplied by the workers: W workers averaging after each minibatch take one
 * step on the mean gradient of W minibatches, a W-times larger batch, for which the linear scaling
 * rule (Goyal et al., 2017) keeps the progress per image; a warm-up avoids its early instability.
 */
public final class LearningRateSchedule {
    private LearningRateSchedule() {
    }

    /** The rate for 1-based {@code epoch} on {@code workers} workers, given the metrics of every epoch before it. */
    public static double rateAt(JobConfig c, int workers, int epoch, List<EpochMetrics> history) {
        return (c.lrScaling == io.sparkalex.config.LrScaling.LINEAR ? workers : 1) * unscaled(c, epoch, history);
    }

    private static double unscaled(JobConfig c, int epoch, List<EpochMetrics> history) {
        int warmup = c.lrWarmupEpochs;
        if (epoch <= warmup) {
            return c.learningRate * epoch / (warmup + 1);
        }
        int e = epoch - warmup;   // 1-based epoch of the schedule proper
        return switch (c.lrSchedule) {
            case STEP -> c.lrDecayEvery == 0 ? c.learningRate
                    : c.learningRate * Math.pow(c.lrDecayFactor, (e - 1) / c.lrDecayEvery);
            case PLATEAU -> c.learningRate * Math.pow(c.lrDecayFactor, plateauReductions(c, epoch, history));
            case COSINE -> {
                int last = c.epochs - warmup;   // the schedule's last epoch, which trains at lr_min
                yield last <= 1 ? c.learningRate
                        : c.lrMin + (c.learningRate - c.lrMin) * 0.5 * (1 + Math.cos(Math.PI * Math.min(e - 1, last - 1)
                        / (last - 1)));
            }
        };
    }

    /** How many times val loss stalled for {@code lr_patience} epochs after the warm-up, before {@code epoch}. */
    static int plateauReductions(JobConfig c, int epoch, List<EpochMetrics> history) {
        double best = Double.POSITIVE_INFINITY;
        int stalled = 0;
        int reductions = 0;
        for (EpochMetrics m : history) {
            if (m.epoch() >= epoch) {
                break;
            }
            if (m.valLoss() < best) {
                best = m.valLoss();
                stalled = 0;
            } else if (m.epoch() > c.lrWarmupEpochs && ++stalled >= c.lrPatience) {
                reductions++;
                stalled = 0;
            }
        }
        return reductions;
    }
}
