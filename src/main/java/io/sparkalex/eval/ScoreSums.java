package io.sparkalex.eval;

import java.io.Serializable;
import java.util.Locale;

/**
 * Examples, summed loss, and top-1 and top-5 hits of some scored rows ({@link RowScore}'s rules):
 * what the training pass reports per minibatch, per round and per epoch, and the headline of an
 * {@link EvalResult}. Sums, so that parts add up to the whole; the job adds them in a fixed order
 * (partition, then round), so the same run gives the same bits. A plain class: Spark's Kryo cannot
 * build records.
 */
public final class ScoreSums implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final ScoreSums EMPTY = new ScoreSums(0, 0, 0, 0);

    private final long examples;
    private final double lossSum;
    private final long top1;
    private final long top5;

    public ScoreSums(long examples, double lossSum, long top1, long top5) {
        this.examples = examples;
        this.lossSum = lossSum;
        this.top1 = top1;
        this.top5 = top5;
    }

    /** Scores softmax outputs, one row per example, against class indices. */
    public static ScoreSums score(float[][] probabilities, int[] labels) {
        double loss = 0;
        long top1 = 0;
        long top5 = 0;
        for (int i = 0; i < probabilities.length; i++) {
            loss += RowScore.loss(probabilities[i], labels[i]);
            int rank = RowScore.rank(probabilities[i], labels[i]);
            top1 += rank == 0 ? 1 : 0;
            top5 += rank != RowScore.NONE && rank < 5 ? 1 : 0;
        }
        return new ScoreSums(probabilities.length, loss, top1, top5);
    }

    public ScoreSums plus(ScoreSums o) {
        if (o.examples == 0) {
            return this;
        }
        if (examples == 0) {
            return o;
        }
        return new ScoreSums(examples + o.examples, lossSum + o.lossSum, top1 + o.top1, top5 + o.top5);
    }

    public long examples() {
        return examples;
    }

    public double lossSum() {
        return lossSum;
    }

    public long top1() {
        return top1;
    }

    public long top5() {
        return top5;
    }

    /** Mean cross-entropy; NaN without examples, or when any row's outputs were not finite. */
    public double loss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    public double accuracy() {
        return examples == 0 ? Double.NaN : (double) top1 / examples;
    }

    public double top5Accuracy() {
        return examples == 0 ? Double.NaN : (double) top5 / examples;
    }

    /** As text that {@link #parse} reads back to the same bits (the loss sum in hexadecimal). */
    public String encode() {
        return examples + " " + Double.toHexString(lossSum) + " " + top1 + " " + top5;
    }

    /** Reads {@link #encode}'s text. */
    public static ScoreSums parse(String text) {
        String[] f = text.trim().split(" ");
        if (f.length != 4) {
            throw new IllegalArgumentException("expected 'examples loss top1 top5', got '" + text + "'");
        }
        return new ScoreSums(Long.parseLong(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[3]));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreSums s && s.examples == examples && s.top1 == top1 && s.top5 == top5
                && Double.doubleToLongBits(s.lossSum) == Double.doubleToLongBits(lossSum);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(examples) * 31 + Double.hashCode(lossSum);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d examples, loss %.4f, top-1 %d, top-5 %d", examples, loss(), top1, top5);
    }
}
