package io.sparkalex.train;

import io.sparkalex.averaging.RoundReportingMaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Logs progress inside an epoch, like the reference script's {@code process_show}: epoch x/y,
 * averaging rounds done, images seen (rounds are of equal size, within a minibatch), images/s
 * and ETA, once per averaging round.
 */
final class EpochProgress implements RoundReportingMaster.RoundListener {
    private static final Logger log = LoggerFactory.getLogger(EpochProgress.class);

    private final int epochs;
    private int epoch;
    private long totalImages;
    private long startNanos;

    EpochProgress(int epochs) {
        this.epochs = epochs;
    }

    void begin(int epoch, long totalImages) {
        this.epoch = epoch;
        this.totalImages = totalImages;
        this.startNanos = System.nanoTime();
    }

    @Override
    public void roundDone(int round, int rounds) {
        long images = totalImages * round / rounds;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = images / Math.max(seconds, 1e-9);
        long eta = Math.round((totalImages - images) / Math.max(rate, 1e-9));
        log.info(String.format(Locale.ROOT, "epoch %d/%d  round %d/%d  %d/%d images  %.1f images/s  ETA %d:%02d",
                epoch, epochs, round, rounds, images, totalImages, rate, eta / 60, eta % 60));
    }
}
