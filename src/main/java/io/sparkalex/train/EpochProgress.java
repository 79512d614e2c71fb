package io.sparkalex.train;

import io.sparkalex.averaging.RoundReportingMaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Logs progress inside an epoch, like the reference script's {@code process_show}: epoch x/y,
 * averaging rounds done, images seen (rounds are of equal size, within a minibatch), images/s,
 * the epoch's ETA and the run's, once per averaging round.
 *
 * <p>The run's ETA is this epoch's plus, for each epoch after it, the wall time of the last whole
 * epoch this process saw (training, evaluation, checkpoint and report: one {@link #begin} to the
 * next); before one was seen, the training time this epoch is projected to take. It assumes every
 * epoch runs: early stopping ({@code patience}) can end the run sooner.
 */
final class EpochProgress implements RoundReportingMaster.RoundListener {
    private static final Logger log = LoggerFactory.getLogger(EpochProgress.class);

    private final int epochs;
    private int epoch;
    private long totalImages;
    private long startNanos;
    /** The last whole epoch's wall time, or NaN before one was seen. */
    private double lastEpochSeconds = Double.NaN;

    EpochProgress(int epochs) {
        this.epochs = epochs;
    }

    void begin(int epoch, long totalImages) {
        long now = System.nanoTime();
        if (this.epoch == epoch - 1 && startNanos != 0) {
            lastEpochSeconds = (now - startNanos) / 1e9;
        }
        this.epoch = epoch;
        this.totalImages = totalImages;
        this.startNanos = now;
    }

    @Override
    public void roundDone(int round, int rounds) {
        long images = totalImages * round / rounds;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        log.info(line(round, rounds, images, seconds));
    }

    /** The line after {@code images} of the epoch took {@code seconds}. */
    String line(int round, int rounds, long images, double seconds) {
        double rate = images / Math.max(seconds, 1e-9);
        double epochEta = (totalImages - images) / Math.max(rate, 1e-9);
        double perEpoch = Double.isNaN(lastEpochSeconds) ? totalImages / Math.max(rate, 1e-9) : lastEpochSeconds;
        double runEta = epochEta + (epochs - epoch) * perEpoch;
        return String.format(Locale.ROOT, "epoch %d/%d  round %d/%d  %d/%d images  %.1f images/s  ETA %s  run ETA %s",
                epoch, epochs, round, rounds, images, totalImages, rate, clock(epochEta), clock(runEta));
    }

    /** h:mm:ss. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
