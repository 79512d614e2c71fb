package io.sparkalex.cli;

/**
 * A failure after training started (a Spark job failure, out of memory): rerunning resumes from
 * the last checkpoint, so it gets an exit code of its own. Wraps the cause.
 */
final class TrainingFailure extends RuntimeException {
    TrainingFailure(Throwable cause) {
        super(cause.toString(), cause);
    }
}
