package io.sparkalex.train;

/**
 * Training diverged: a non-finite training loss, averaged parameter or validation loss (see
 * {@link io.sparkalex.eval.Divergence}). The run stops before that epoch is recorded, so the last
 * checkpoint is the last good state; it is not worth a retry (the same data, seed and rate diverge
 * the same way), and the exit code says so (6).
 */
public final class TrainingDiverged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param where what was not finite, and where (round, partition) it was seen */
    public TrainingDiverged(int epoch, String where) {
        super("training diverged in epoch " + epoch + ": " + where + ". Nothing of epoch " + epoch
                + " was saved; a rerun would diverge the same way: lower learning_rate (or add lr_warmup_epochs), "
                + "then rerun with --fresh, or resume from the last good checkpoint with the new rate");
    }
}
