package io.sparkalex.eval;

import java.io.Serializable;

/**
 * Loss and top-1/top-5 hits summed over evaluated examples: partitions add theirs up, and the
 * driver reads the sums as means. A plain class, not a record: Spark's Kryo cannot serialize records.
 */
public final class EvalResult implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final EvalResult EMPTY = new EvalResult(0, 0, 0, 0);
    /** Probability floor so one confident mistake gives a large, finite loss (as DL4J clips). */
    private static final double MIN_PROB = 1e-10;

    private final long examples;
    private final double lossSum;
    private final long top1;
    private final long top5;

    EvalResult(long examples, double lossSum, long top1, long top5) {
        this.examples = examples;
        this.lossSum = lossSum;
        this.top1 = top1;
        this.top5 = top5;
    }

    /**
     * Scores softmax outputs against one-hot labels. A tie with the true class counts against it
     * when the tied class comes first, so a network that outputs a constant gets no free hits.
     */
    public static EvalResult score(float[][] probabilities, float[][] oneHotLabels) {
        double loss = 0;
        long top1 = 0;
        long top5 = 0;
        for (int i = 0; i < probabilities.length; i++) {
            float[] p = probabilities[i];
            int label = argMax(oneHotLabels[i]);
            loss -= Math.log(Math.max(p[label], MIN_PROB));
            int ranked = 0;   // classes ranked above the true one
            for (int c = 0; c < p.length; c++) {
                if (p[c] > p[label] || (p[c] == p[label] && c < label)) {
                    ranked++;
                }
            }
            top1 += ranked == 0 ? 1 : 0;
            top5 += ranked < 5 ? 1 : 0;
        }
        return new EvalResult(probabilities.length, loss, top1, top5);
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
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
