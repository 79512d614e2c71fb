package io.sparkalex.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * How a run's training was cut up, as resolved when it ran ({@code workers = 0} resolved to the
 * cluster's parallelism): saved in every checkpoint, because changing it on resume changes the
 * computation (the global minibatch, how many minibatches go into each average), so a resumed run
 * would no longer be the run that was never stopped.
 */
public record Parallelism(int workers, int batchSize, int averagingFrequency) {

    /** Images in one step of all workers together. */
    public long globalBatch() {
        return (long) workers * batchSize;
    }

    /** {@code key=saved (checkpoint) vs key=this (this run)} for each setting that differs from {@code saved}. */
    public List<String> changesFrom(Parallelism saved) {
        List<String> changes = new ArrayList<>();
        compare(changes, "workers", saved.workers, workers);
        compare(changes, "batch_size", saved.batchSize, batchSize);
        compare(changes, "averaging_frequency", saved.averagingFrequency, averagingFrequency);
        return changes;
    }

    private static void compare(List<String> changes, String key, int saved, int now) {
        if (saved != now) {
            changes.add(key + "=" + saved + " (checkpoint) vs " + key + "=" + now + " (this run)");
        }
    }
}
