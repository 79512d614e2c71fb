package io.sparkalex.train;

import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.TrainingState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Records each finished epoch: logs its line, keeps the history and the best val loss, writes
 * {@code latest.zip}, copies it to {@code best.zip} when val loss improved, then rewrites the
 * metrics files. In that order: latest is what a rerun resumes from; best is a copy of it (a
 * crash in between is repaired on resume); the metrics follow the checkpoint that holds them.
 *
 * <p>The copy to {@code best.zip} runs on a thread of its own while the next epoch trains (the
 * full AlexNet's 700 MB took 0.9-1.5 s here, on HDFS a read and a write over the network): the
 * next {@link #record} and {@link #close} wait for it first, so {@code latest.zip} is never
 * replaced while it is being copied, and a failed copy fails the run there (exit 4).
 */
final class EpochRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EpochRecorder.class);
    private final ExecutorService copier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparkalex-best-copy");
        t.setDaemon(true);
        return t;
    });
    private Future<?> copying;

    private final RunDirectory run;
    private final List<EpochMetrics> history;
    private final StateFactory state;
    private double bestValLoss;
    private int bestEpoch;

    /** What a checkpoint saves besides the network, given the run's progress so far. */
    @FunctionalInterface
    interface StateFactory {
        TrainingState state(int epoch, double bestValLoss, int bestEpoch, List<EpochMetrics> history);
    }

    EpochRecorder(RunDirectory run, StartingPoint start, StateFactory state) {
        this.run = run;
        this.history = new ArrayList<>(start.history());
        this.bestValLoss = start.bestValLoss();
        this.bestEpoch = start.bestEpoch();
        this.state = state;
    }

    void record(EpochMetrics m, MultiLayerNetwork network) throws IOException {
        awaitCopy();
        run.checkLease();
        history.add(m);
        log.info(line(m));
        boolean improved = m.valLoss() < bestValLoss;
        if (improved) {
            log.info(String.format(Locale.ROOT, "val_loss improved from %.4f to %.4f; saving %s", bestValLoss,
                    m.valLoss(), run.checkpoints.path(CheckpointStore.BEST)));
            bestValLoss = m.valLoss();
            bestEpoch = m.epoch();
        }
        long t0 = System.nanoTime();
        run.checkpoints.save(CheckpointStore.LATEST, network,
                state.state(m.epoch(), bestValLoss, bestEpoch, List.copyOf(history)));
        log.info(String.format(Locale.ROOT, "epoch %d saved in %s in %.1f s%s", m.epoch(), CheckpointStore.LATEST,
                (System.nanoTime() - t0) / 1e9, improved ? "; copying it to " + CheckpointStore.BEST : ""));
        if (improved) {
            copying = copier.submit(() -> {
                run.checkpoints.copy(CheckpointStore.LATEST, CheckpointStore.BEST);
                return null;
            });
        }
        run.metrics.write(history);
    }

    /** Waits until {@code best.zip} holds the best epoch recorded so far; a failed copy is this call's failure. */
    void awaitCopy() throws IOException {
        if (copying == null) {
            return;
        }
        try {
            copying.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for the copy to " + CheckpointStore.BEST);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("copying to " + CheckpointStore.BEST + " failed", e.getCause());
        } finally {
            copying = null;
        }
    }

    /** Lets a copy under way finish (a failure of it is logged: the run is ending anyway). */
    @Override
    public void close() {
        try {
            awaitCopy();
        } catch (IOException e) {
            log.warn("copying to {} failed: {}", CheckpointStore.BEST, e.toString());
        } finally {
            copier.shutdown();
        }
    }

    List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    double bestValLoss() {
        return bestValLoss;
    }

    int bestEpoch() {
        return bestEpoch;
    }

    /** The epoch's log line, e.g. {@code epoch 9: train loss 0.2403 acc 0.9186 | val loss ... lr 0.00050}. */
    static String line(EpochMetrics m) {
        return String.format(Locale.ROOT,
                "epoch %d: train loss %.4f acc %.4f | val loss %.4f acc %.4f%s | %.1f images/s, %.0f s (train %.0f s, eval %.0f s), lr %.2g",
                m.epoch(), m.trainLoss(), m.trainAcc(), m.valLoss(), m.valAcc(),
                m.valTop5() == null ? "" : String.format(Locale.ROOT, " top5 %.4f", m.valTop5()),
                m.imagesPerSec(), m.epochSeconds(), m.trainSeconds(), m.evalSeconds(), m.lr());
    }
}
