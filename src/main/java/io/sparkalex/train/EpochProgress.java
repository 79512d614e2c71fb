package io.sparkalex.train;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs progress inside an epoch, like the seed's {@code process_show}: epoch x/y, averaging rounds
 * done, images seen, images/s and ETA. DL4J runs one Spark job (a {@code treeAggregate} of the
 * workers' parameters) per averaging round, so the listener counts those jobs as they end.
 */
final class EpochProgress extends SparkListener {
    private static final Logger log = LoggerFactory.getLogger(EpochProgress.class);

    private final Set<Integer> roundJobs = ConcurrentHashMap.newKeySet();
    private volatile boolean active;
    private int epoch;
    private int epochs;
    private int rounds;
    private int expectedRounds;
    private long totalImages;
    private long imagesPerRound;
    private long startNanos;

    synchronized void begin(int epoch, int epochs, long totalImages, int batchFiles, int workers,
                            int averagingFrequency, int batchSize) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.totalImages = totalImages;
        this.expectedRounds = Math.max(1, (int) Math.ceil(batchFiles / (double) (workers * averagingFrequency)));
        this.imagesPerRound = (long) workers * averagingFrequency * batchSize;
        this.rounds = 0;
        this.startNanos = System.nanoTime();
        roundJobs.clear();
        active = true;
    }

    synchronized void end() {
        active = false;
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        if (!active) {
            return;
        }
        for (StageInfo stage : JavaConverters.seqAsJavaList(jobStart.stageInfos())) {
            if (stage.name().startsWith("treeAggregate at ParameterAveragingTrainingMaster")) {
                roundJobs.add(jobStart.jobId());
                return;
            }
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd jobEnd) {
        if (!active || !roundJobs.remove(jobEnd.jobId())) {
            return;
        }
        rounds++;
        long images = Math.min(totalImages, rounds * imagesPerRound);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = images / Math.max(seconds, 1e-9);
        long eta = Math.round((totalImages - images) / Math.max(rate, 1e-9));
        log.info(String.format(Locale.ROOT, "epoch %d/%d  round %d/%d  %d/%d images  %.1f images/s  ETA %d:%02d",
                epoch, epochs, rounds, Math.max(rounds, expectedRounds), images, totalImages, rate, eta / 60, eta % 60));
    }
}
