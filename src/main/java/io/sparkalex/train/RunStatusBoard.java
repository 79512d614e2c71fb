package io.sparkalex.train;

import io.sparkalex.monitor.MetricsPusher;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.RunStatus;
import io.sparkalex.storage.Uris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * Where a run tells the outside how it is doing: {@code run-status.json} and {@code _SUCCESS} in
 * its output directory (for schedulers) and the Pushgateway (for monitoring), always together, so
 * the two never disagree. The status file is part of the outputs: failing to write it fails the
 * run; the Pushgateway never does (see {@link MetricsPusher}).
 */
final class RunStatusBoard implements EpochListener {
    private static final Logger log = LoggerFactory.getLogger(RunStatusBoard.class);

    private final RunDirectory run;
    private final MetricsPusher pusher;
    private RunStatus status;
    private List<EpochMetrics> history = List.of();
    private Double badRowFraction;

    RunStatusBoard(RunDirectory run, MetricsPusher pusher, RunStatus initial) {
        this.run = run;
        this.pusher = pusher;
        this.status = initial;
    }

    /** The run starts: {@code _SUCCESS} goes (the outputs are about to change), the status says running. */
    void start() throws IOException {
        run.clearSuccess();
        publish(status);
    }

    RunStatus status() {
        return status;
    }

    void badRowFraction(double fraction) {
        badRowFraction = fraction;
    }

    void history(List<EpochMetrics> history) {
        this.history = List.copyOf(history);
    }

    /** The epoch's progress, with the run's history and best epoch, to the status file and the Pushgateway. */
    @Override
    public void epochEnded(EpochEnd e) throws IOException {
        history(e.history());
        publish(status.progress(e.epoch(), e.best(), "epoch " + e.epoch() + " of " + status.epochs() + " done"));
    }

    void publish(RunStatus next) throws IOException {
        status = next;
        run.writeStatus(next);
        pusher.push(next, history, badRowFraction);
    }

    /** The final, successful status, then {@code _SUCCESS}: written last, when every output is complete. */
    void succeed(RunStatus done) throws IOException {
        publish(done);
        run.markSuccess();
        log.info("run {}: {} ({})", done.state().json(), done.reason(), Uris.redact(run.dir.toString()));
    }

    /** Records a failure; a status that cannot be written is logged, not thrown over the failure itself. */
    void fail(int exitCode, String reason) {
        try {
            publish(status.failed(exitCode, reason));
        } catch (IOException | RuntimeException e) {
            log.warn("could not record the failure in {}: {}", RunDirectory.RUN_STATUS, e.toString());
        }
    }
}
