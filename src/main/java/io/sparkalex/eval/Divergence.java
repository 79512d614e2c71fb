package io.sparkalex.eval;

import io.sparkalex.nd4j.NonFinite;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the job calls divergence: a training loss that is not finite, or a NaN or an infinity in the
 * averaged parameters. Either ends the run (exit code 6): the parameters are wrecked, the last
 * checkpoint is the last good state, and a retry would diverge the same way.
 */
public final class Divergence {
    private Divergence() {
    }

    /** Why training diverged, judged by a training pass's sums and the parameters after it; null if it did not. */
    public static String of(ScoreSums pass, INDArray params) {
        if (pass.examples() > 0 && !Double.isFinite(pass.loss())) {
            return "training loss " + pass.loss();
        }
        long bad = NonFinite.count(params);
        return bad == 0 ? null : "the averaged parameters hold " + bad + " NaN or infinite values";
    }
}
