package io.sparkalex.storage;

import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.util.Locale;

/**
 * {@code run-status.json}: what a scheduler reads to know how a run ended (or that it is still
 * running). Rewritten atomically at start, after every epoch and at the end; {@code _SUCCESS} is
 * written after the final one when the run succeeded in any of its three ways. A run killed
 * mid-epoch leaves {@code running} here until the next run over the same directory takes over.
 *
 * @param exitCode   the process's exit code; null while running
 * @param epoch      the last completed epoch (0 before the first)
 * @param best       the metrics of the best epoch so far (lowest val loss), null before the first
 * @param stopReason why training ended before {@code epochs}, when it did (early stopping)
 */
public record RunStatus(State state, Integer exitCode, String reason, String runId, String runName,
                        String applicationId, String out, int epoch, int epochs, EpochMetrics best,
                        TestMetrics test, String stopReason, PromotionDecision promotion, DriftReport drift,
                        String startedAt, String updatedAt, String finishedAt) {

    /** The one-word outcome. Every state but {@code running} and {@code failed} is a success (exit 0). */
    public enum State {
        RUNNING, SUCCEEDED, FAILED, STOPPED_EARLY, NOT_PROMOTED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean succeeded() {
            return this == SUCCEEDED || this == STOPPED_EARLY || this == NOT_PROMOTED;
        }
    }

    public static RunStatus started(String runId, String runName, String applicationId, String out, int epochs) {
        String now = Instant.now().toString();
        return new RunStatus(State.RUNNING, null, "started", runId, runName, applicationId, out, 0, epochs, null,
                null, null, null, null, now, now, null);
    }

    public RunStatus progress(int epoch, EpochMetrics best, String reason) {
        return new RunStatus(state, exitCode, reason, runId, runName, applicationId, out, epoch, epochs, best, test,
                stopReason, promotion, drift, startedAt, Instant.now().toString(), finishedAt);
    }

    public RunStatus withDrift(DriftReport report) {
        return new RunStatus(state, exitCode, reason, runId, runName, applicationId, out, epoch, epochs, best, test,
                stopReason, promotion, report, startedAt, Instant.now().toString(), finishedAt);
    }

    /** The final status of a run that completed; {@code state} says which kind of success. */
    public RunStatus finished(State state, String reason, TestMetrics test, String stopReason,
                              PromotionDecision promotion) {
        String now = Instant.now().toString();
        return new RunStatus(state, 0, reason, runId, runName, applicationId, out, epoch, epochs, best, test,
                stopReason, promotion, drift, startedAt, now, now);
    }

    public RunStatus failed(int exitCode, String reason) {
        String now = Instant.now().toString();
        return new RunStatus(State.FAILED, exitCode, reason, runId, runName, applicationId, out, epoch, epochs, best,
                test, stopReason, promotion, drift, startedAt, now, now);
    }
}
