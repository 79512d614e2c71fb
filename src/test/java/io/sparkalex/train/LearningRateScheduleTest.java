package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.testing.TinyConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rates each schedule gives at given epochs. */
class LearningRateScheduleTest {
    static double rate(JobConfig c, int epoch, double... valLosses) {
        List<EpochMetrics> history = new ArrayList<>();
        for (int e = 1; e <= valLosses.length; e++) {
            history.add(new EpochMetrics(e, 1, 0, valLosses[e - 1], 0, null, 0, 0, 0, 0, 0, 0, 0, "", null, null, ""));
        }
        return LearningRateSchedule.rateAt(c, 1, epoch, history);
    }

    @Test
    void stepDividesEveryNEpochsAndZeroMeansConstant() {
        JobConfig step = TinyConfig.with("learning_rate", "0.1", "lr_schedule", "step", "lr_decay_every", "2",
                "lr_decay_factor", "0.5");
        assertEquals(0.1, rate(step, 1), 1e-12);
        assertEquals(0.1, rate(step, 2), 1e-12);
        assertEquals(0.05, rate(step, 3), 1e-12);
        assertEquals(0.025, rate(step, 5), 1e-12);
        JobConfig constant = TinyConfig.with("learning_rate", "0.1");
        assertEquals(0.1, rate(constant, 50), 1e-12, "the reference recipe: lr_decay_every = 0");
    }

    @Test
    void plateauDividesWhenValLossStallsForPatienceEpochs() {
        JobConfig c = TinyConfig.with("learning_rate", "0.01", "lr_schedule", "plateau", "lr_patience", "2");
        assertEquals(0.01, rate(c, 4, 2.0, 1.5, 1.2), 1e-12, "improving");
        assertEquals(0.01, rate(c, 5, 2.0, 1.5, 1.2, 1.3), 1e-12, "one stalled epoch");
        assertEquals(0.001, rate(c, 6, 2.0, 1.5, 1.2, 1.3, 1.25), 1e-12, "two: divide by 10");
        assertEquals(0.001, rate(c, 7, 2.0, 1.5, 1.2, 1.3, 1.25, 1.1), 1e-12, "improved again: count restarts");
        assertEquals(1e-4, rate(c, 9, 2.0, 1.5, 1.2, 1.3, 1.25, 1.1, 1.2, 1.2), 1e-12, "stalled twice more");
    }

    @Test
    void cosineFallsFromTheRateAtTheFirstEpochToTheFloorAtTheLast() {
        JobConfig c = TinyConfig.with("epochs", "11", "learning_rate", "0.1", "lr_schedule", "cosine", "lr_min", "0.01");
        assertEquals(0.1, rate(c, 1), 0, "the first epoch trains at learning_rate");
        assertEquals(0.055, rate(c, 6), 1e-12, "halfway: the mean of rate and floor");
        assertEquals(0.01 + 0.09 * 0.5 * (1 + Math.cos(Math.PI * 9 / 10)), rate(c, 10), 1e-12);
        assertEquals(0.01, rate(c, 11), 1e-15, "the last epoch trains at lr_min");
        JobConfig longer = TinyConfig.with("epochs", "21", "learning_rate", "0.1", "lr_schedule", "cosine",
                "lr_min", "0.01");
        assertEquals(0.055, rate(longer, 11), 1e-12, "epochs raised on resume: the curve stretches to the new end");
        assertEquals(0.01, rate(longer, 21), 1e-15);
        JobConfig one = TinyConfig.with("epochs", "1", "learning_rate", "0.1", "lr_schedule", "cosine", "lr_min", "0.01");
        assertEquals(0.1, rate(one, 1), 0, "a one-epoch schedule trains at learning_rate");
    }

    @Test
    void warmUpRisesLinearlyThenTheScheduleStarts() {
        JobConfig c = TinyConfig.with("epochs", "10", "learning_rate", "0.3", "lr_warmup_epochs", "2",
                "lr_schedule", "step", "lr_decay_every", "3");
        assertEquals(0.1, rate(c, 1), 1e-12);
        assertEquals(0.2, rate(c, 2), 1e-12);
        assertEquals(0.3, rate(c, 3), 1e-12, "the schedule's first epoch");
        assertEquals(0.3, rate(c, 5), 1e-12);
        assertEquals(0.03, rate(c, 6), 1e-12, "three epochs after the warm-up");
        JobConfig cosine = TinyConfig.with("epochs", "6", "learning_rate", "0.3", "lr_warmup_epochs", "2",
                "lr_schedule", "cosine");
        assertEquals(0.3, rate(cosine, 3), 1e-12, "the cosine's first epoch, after the warm-up");
        assertEquals(0.225, rate(cosine, 4), 1e-12, "a third of the way down its four epochs");
        assertEquals(0, rate(cosine, 6), 1e-15, "its last epoch, at lr_min");
    }

    /** lr_scaling = linear: the rate (warm-up and schedule alike) is one worker's times the workers. */
    @Test
    void linearScalingMultipliesEveryRateByTheWorkers() {
        JobConfig c = TinyConfig.with("learning_rate", "0.01", "lr_warmup_epochs", "1", "lr_scaling", "linear");
        assertEquals(0.005 * 4, LearningRateSchedule.rateAt(c, 4, 1, List.of()), 1e-15, "warm-up");
        assertEquals(0.01 * 4, LearningRateSchedule.rateAt(c, 4, 2, List.of()), 1e-15);
        JobConfig none = TinyConfig.with("learning_rate", "0.01");
        assertEquals(0.01, LearningRateSchedule.rateAt(none, 4, 2, List.of()), 1e-15, "the default: as given");
    }
}
