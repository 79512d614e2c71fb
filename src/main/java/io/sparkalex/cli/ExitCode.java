package io.sparkalex.cli;

/** Process exit codes, stable for schedulers (cron, Airflow); documented in the README. */
public final class ExitCode {
    /** Finished; outputs are complete. */
    public static final int OK = 0;
    /** Unexpected internal error (a bug): the message and stack trace are logged. */
    public static final int INTERNAL = 1;
    /** Bad command line or configuration: nothing was trained; fix the flag or key named. */
    public static final int USAGE = 2;
    /** The data cannot be trained on (CSV structure, missing image root, too many bad images). */
    public static final int DATA = 3;
    /** Training failed after it started (Spark job failure, out of memory); rerun to resume. */
    public static final int TRAINING = 4;
    /** Another live run holds the output directory (its lease in --out): nothing was done; rerun later or use another --out. */
    public static final int BUSY = 5;
    /**
     * Training diverged (a non-finite loss or parameter): the epoch was not saved, the last good
     * checkpoint stands; not worth a retry, which would diverge again: lower the learning rate.
     */
    public static final int DIVERGED = 6;

    private ExitCode() {
    }

    /** The exit code a failure ends the process with: the one place that decides it. */
    public static int of(Throwable e) {
        if (e instanceof io.sparkalex.config.ConfigError) {
            return USAGE;
        }
        if (e instanceof io.sparkalex.data.DataError) {
            return DATA;
        }
        if (e instanceof io.sparkalex.storage.OutputLease.HeldException) {
            return BUSY;
        }
        if (e instanceof io.sparkalex.eval.TrainingDiverged) {
            return DIVERGED;
        }
        if (e instanceof TrainingFailure || isTrainingFailure(e)) {
            return TRAINING;
        }
        return INTERNAL;
    }

    /**
     * {@code e}, or a {@link io.sparkalex.config.ConfigError} that says what to do when it is ND4J
     * finding no backend it can load (a GPU jar where CUDA is missing): ND4J's own trace names
     * neither the jar nor CUDA, and a retry cannot help.
     */
    public static Throwable explained(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.nd4j.linalg.factory.Nd4jBackend.NoAvailableBackendException) {
                return new io.sparkalex.config.ConfigError("ND4J found no backend it can load (" + t.getMessage()
                        + "): a GPU jar (mvn -Pgpu, sparkalex-*-gpu-job.jar) needs CUDA 11.6 and an NVIDIA driver on "
                        + "the driver and every executor; use the CPU jar where there is none");
            }
        }
        return e;
    }

    /** Storage, the cluster or memory failed after training started: a rerun resumes. */
    static boolean isTrainingFailure(Throwable e) {
        return e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException
                || e instanceof org.apache.spark.SparkException || e instanceof OutOfMemoryError;
    }
}
