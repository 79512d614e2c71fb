package io.sparkalex.train;

import java.util.function.ToIntFunction;

/**
 * How a run is started and what it reports beyond its output directory: its name (the Spark
 * application's, which labels its metrics), the model it warm-starts from, where it promotes
 * its model to, and how a failure maps to the exit code written into {@code run-status.json}.
 *
 * @param warmStart         model to take the initial weights from, or null
 * @param warmStartOptional a missing {@code warmStart} model means a start from random weights
 *                          (the first night of a schedule), not an error
 * @param reinitOutput      with {@code warmStart}: when the classes changed, start the output layer afresh
 * @param promoteTo         promotion location, or null
 * @param driftReference    model whose data profile the drift check compares with; null = the promoted one
 * @param exitCodes         the exit code the process will end with for a failure
 * @param allowParallelismChange a resume may run with other {@code workers}, {@code batch_size} or
 *                          {@code averaging_frequency} than the checkpoint's (it then no longer
 *                          repeats the uninterrupted run)
 */
public record RunOptions(String runName, String warmStart, boolean warmStartOptional, boolean reinitOutput,
                         String promoteTo, String driftReference, ToIntFunction<Throwable> exitCodes,
                         boolean allowParallelismChange) {
    /** A plain run: no warm start, no promotion; failures recorded as internal errors (exit 1). */
    public static final RunOptions NONE = new RunOptions("sparkalex-train", null, false, false, null, null, t -> 1,
            false);

    /** The same, allowing a resume to change the parallelism. */
    public RunOptions allowingParallelismChange() {
        return new RunOptions(runName, warmStart, warmStartOptional, reinitOutput, promoteTo, driftReference, exitCodes,
                true);
    }
}
