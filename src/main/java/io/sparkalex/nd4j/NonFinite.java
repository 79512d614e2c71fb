package io.sparkalex.nd4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Counts the NaNs and infinities in an array, in one native pass over it (any data type, views
 * included): how the driver checks its averaged parameters before they are evaluated or saved.
 */
public final class NonFinite {
    private NonFinite() {
    }

    /** Values of {@code a} that are NaN or infinite. */
    public static long count(INDArray a) {
        if (a == null || a.isEmpty()) {
            return 0;
        }
        return a.length() - Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.isFinite())).getLong(0);
    }
}
