package io.sparkalex.train;

import io.sparkalex.storage.Uris;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.model.PortableConfiguration;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.DataProfile;
import io.sparkalex.storage.Parallelism;
import io.sparkalex.storage.Provenance;
import io.sparkalex.storage.TrainingState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The checkpoint output: after each epoch writes {@code latest.zip} (the network, its optimizer
 * state and the run's {@link TrainingState}), then copies it to {@code best.zip} when val loss
 * improved. In that order: latest is what a rerun resumes from; best is a copy of it (a crash in
 * between is repaired on resume).
 *
 * <p>The copy to {@code best.zip} runs on a thread of its own while the next epoch trains (the
 * full AlexNet's 700 MB took 0.9-1.5 s here, on HDFS a read and a write over the network): the
 * next {@link #epochEnded} and {@link #close} wait for it first, so {@code latest.zip} is never
 * replaced while it is being copied, and a failed copy fails the run there (exit 4).
 */
final class CheckpointWriter implements EpochListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CheckpointWriter.class);
    private final ExecutorService copier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparkalex-best-copy");
        t.setDaemon(true);
        return t;
    });
    private Future<?> copying;

    private final RunDirectory run;
    private final RunFacts facts;

    /** What every checkpoint of the run saves besides the network and the run's progress. */
    record RunFacts(String configJson, ClassIndex classes, Provenance provenance, DataProfile data,
                    Parallelism parallelism) {
        TrainingState state(EpochEnd e) {
            return new TrainingState(e.epoch(), e.bestValLoss(), e.bestEpoch(), Uris.redact(configJson), classes.ids(),
                    classes.namesById(), e.history(), provenance.savedNow(), null, data, parallelism);
        }
    }

    CheckpointWriter(RunDirectory run, RunFacts facts) {
        this.run = run;
        this.facts = facts;
    }

    @Override
    public void epochEnded(EpochEnd e) throws IOException {
        awaitCopy();
        run.checkLease();
        long t0 = System.nanoTime();
        run.checkpoints.save(CheckpointStore.LATEST, e.network(),
                PortableConfiguration.stockJson(e.network().getLayerWiseConfigurations()), facts.state(e));
        log.info(String.format(Locale.ROOT, "epoch %d saved in %s in %.1f s%s", e.epoch(), CheckpointStore.LATEST,
                (System.nanoTime() - t0) / 1e9, e.improved() ? "; copying it to " + CheckpointStore.BEST : ""));
        if (e.improved()) {
            copying = copier.submit(() -> {
                run.checkpoints.copy(CheckpointStore.LATEST, CheckpointStore.BEST);
                return null;
            });
        }
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
}
