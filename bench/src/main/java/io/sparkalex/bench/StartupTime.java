package io.sparkalex.bench;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Seconds from the start of a run to its first training step: until Spark starts the first job
 * of the group {@code sparkalex-epoch-*} (the job group the training loop sets), which is after
 * the CSV, the checkpoint and the image cache are done.
 */
final class StartupTime extends SparkListener {
    private final long start = System.nanoTime();
    private volatile long firstTraining;

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        String group = jobStart.properties().getProperty("spark.jobGroup.id");
        if (firstTraining == 0 && group != null && group.startsWith("sparkalex-epoch-")) {
            firstTraining = System.nanoTime();
        }
    }

    double seconds() {
        return firstTraining == 0 ? Double.NaN : (firstTraining - start) / 1e9;
    }
}
