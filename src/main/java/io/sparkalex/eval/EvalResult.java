package io.sparkalex.eval;

import java.io.Serializable;

/**
 * Loss, top-1/top-5 hits and the confusion matrix summed over evaluated examples: partitions add
 * theirs up, and the driver reads the sums as means ({@link EvaluationReport} turns the matrix into
 * per-class precision, recall and F1). A plain class, not a record: Spark's Kryo cannot serialize records.
 */
public final class EvalResult implements Serializable {
    private static final long serialVersionUID = 2L;
    public static final EvalResult EMPTY = new EvalResult(0, 0, 0, 0, 0, new long[0]);
    /** Probability floor so one confident mistake gives a large, finite loss (as DL4J clips). */
    private static final double MIN_PROB = 1e-10;

    private final long examples;
    private final double lossSum;
    private final long top1;
    private final long top5;
    private final int classes;
    /** {@code confusion[actual * classes + predicted]}: images of class {@code actual} predicted as {@code predicted}. */
    private final long[] confusion;

    private EvalResult(long examples, double lossSum, long top1, long top5, int classes, long[] confusion) {
        this.examples = examples;
        this.lossSum = lossSum;
        this.top1 = top1;
        this.top5 = top5;
        this.classes = classes;
        this.confusion = confusion;
    }

    /** Scores softmax outputs against one-hot labels (see {@link #score(float[][], int[])}). */
    public static EvalResult score(float[][] probabilities, float[][] oneHotLabels) {
        int[] labels = new int[oneHotLabels.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = argMax(oneHotLabels[i]);
        }
        return score(probabilities, labels);
    }

    /**
     * Scores softmax outputs against class indices. The prediction is the first class with the
     * highest probability, so a tie with the true class counts against it when the tied class
     * comes first: a network that outputs a constant gets no free hits.
     */
    public static EvalResult score(float[][] probabilities, int[] labels) {
        if (probabilities.length == 0) {
            return EMPTY;
        }
        int k = probabilities[0].length;
        long[] confusion = new long[k * k];
        double loss = 0;
        long top1 = 0;
        long top5 = 0;
        for (int i = 0; i < probabilities.length; i++) {
            float[] p = probabilities[i];
            int label = labels[i];
            loss -= Math.log(Math.max(p[label], MIN_PROB));
            int ranked = 0;   // classes ranked above the true one
            for (int c = 0; c < p.length; c++) {
                if (p[c] > p[label] || (p[c] == p[label] && c < label)) {
                    ranked++;
                }
            }
            top1 += ranked == 0 ? 1 : 0;
            top5 += ranked < 5 ? 1 : 0;
            confusion[label * k + argMax(p)]++;
        }
        return new EvalResult(probabilities.length, loss, top1, top5, k, confusion);
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
        if (o.examples == 0) {
            return this;
        }
        if (examples == 0) {
            return o;
        }
        if (o.classes != classes) {
            throw new IllegalArgumentException("cannot add results over " + classes + " and " + o.classes + " classes");
        }
        long[] sum = confusion.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += o.confusion[i];
        }
        return new EvalResult(examples + o.examples, lossSum + o.lossSum, top1 + o.top1, top5 + o.top5, classes, sum);
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

    /** Images of class {@code actual} that the network put in class {@code predicted}. */
    public long confusion(int actual, int predicted) {
        return examples == 0 ? 0 : confusion[actual * classes + predicted];
    }
}
