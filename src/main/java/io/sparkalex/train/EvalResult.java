package io.sparkalex.train;

import java.io.Serializable;

/**
 * Sums over evaluated examples; merged across partitions, then read as means.
 * A plain class, not a record: Spark's Kryo cannot serialize records.
 */
public final class EvalResult implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final EvalResult EMPTY = new EvalResult(0, 0, 0, 0);

    private final long examples;
    private final double lossSum;
    private final long top1;
    private final long top5;

    public EvalResult(long examples, double lossSum, long top1, long top5) {
        this.examples = examples;
        this.lossSum = lossSum;
        this.top1 = top1;
        this.top5 = top5;
    }

    public EvalResult plus(EvalResult o) {
        return new EvalResult(examples + o.examples, lossSum + o.lossSum, top1 + o.top1, top5 + o.top5);
    }

    public long examples() {
        return examples;
    }

    /** Mean cross-entropy. */
    public double loss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    public double accuracy() {
        return examples == 0 ? Double.NaN : (double) top1 / examples;
    }

    public double top5Accuracy() {
        return examples == 0 ? Double.NaN : (double) top5 / examples;
    }
}
