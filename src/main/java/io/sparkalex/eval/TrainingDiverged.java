package io.sparkalex.eval;

/**
 * Training diverged: a non-finite training loss, averaged parameter or validation loss
 * ({@link Divergence}), or a saved model whose parameters are not finite. A run stops before the
 * diverged epoch is recorded, so its last checkpoint is its last good state. Not worth a retry:
 * the same data, seed and rate diverge the same way; the exit code says so (6).
 */
public final class TrainingDiverged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private TrainingDiverged(String message) {
        super(message);
    }

    /** @param where what was not finite, and where (round, partition) it was seen */
    public static TrainingDiverged inEpoch(int epoch, String where) {
        return new TrainingDiverged("training diverged in epoch " + epoch + ": " + where + ". Nothing of epoch " + epoch
                + " was saved; a rerun would diverge the same way: lower learning_rate (or add lr_warmup_epochs), "
                + "then rerun with --fresh, or resume from the last good checkpoint with the new rate");
    }

    /** A model zip whose parameters hold NaNs or infinities (saved by a run that diverged). */
    public static TrainingDiverged savedModel(String uri, long nonFinite) {
        return new TrainingDiverged("the model " + uri + " holds " + nonFinite + " NaN or infinite parameters: it was "
                + "saved by a run that diverged, and scores nothing; use a checkpoint of an epoch before the divergence");
    }

    /** A run none of whose epochs has a finite val loss: there is no best model. */
    public static TrainingDiverged noBestEpoch(String run) {
        return new TrainingDiverged("no epoch of the run in " + run + " has a finite val loss (its checkpoint names "
                + "no best epoch: it was saved by a run that diverged): there is no best model to test or promote");
    }
}
