package io.sparkalex.eval;

import java.io.Serializable;

/**
 * Loss, top-1/top-5 hits and the confusion matrix summed over evaluated examples: partitions add
 * theirs up (in partition order, so a run repeats to the bit), and the driver reads the sums as
 * means ({@link EvaluationReport} turns the matrix into per-class precision, recall and F1). Every
 * row is scored by {@link RowScore}'s rules: a tie with an earlier class is a miss, and a row whose
 * outputs are not finite is a miss with no predicted class ({@link #unpredicted}) and a NaN loss.
 * A plain class, not a record: Spark's Kryo cannot serialize records.
 */
public final class EvalResult implements Serializable {
    private static final long serialVersionUID = 3L;
    public static final EvalResult EMPTY = new EvalResult(ScoreSums.EMPTY, 0, new long[0], new long[0]);

    private final ScoreSums sums;
    private final int classes;
    /** {@code confusion[actual * classes + predicted]}: images of class {@code actual} predicted as {@code predicted}. */
    private final long[] confusion;
    /** Per actual class: images whose outputs were not finite, so that nothing was predicted. */
    private final long[] unpredicted;

    private EvalResult(ScoreSums sums, int classes, long[] confusion, long[] unpredicted) {
        this.sums = sums;
        this.classes = classes;
        this.confusion = confusion;
        this.unpredicted = unpredicted;
    }

    /** Scores softmax outputs against one-hot labels (see {@link #score(float[][], int[])}). */
    public static EvalResult score(float[][] probabilities, float[][] oneHotLabels) {
        int[] labels = new int[oneHotLabels.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = RowScore.predicted(oneHotLabels[i]);
        }
        return score(probabilities, labels);
    }

    /** Scores softmax outputs against class indices, by {@link RowScore}'s rules. */
    public static EvalResult score(float[][] probabilities, int[] labels) {
        if (probabilities.length == 0) {
            return EMPTY;
        }
        int k = probabilities[0].length;
        long[] confusion = new long[k * k];
        long[] unpredicted = new long[k];
        for (int i = 0; i < probabilities.length; i++) {
            int predicted = RowScore.predicted(probabilities[i]);
            if (predicted == RowScore.NONE) {
                unpredicted[labels[i]]++;
            } else {
                confusion[labels[i] * k + predicted]++;
            }
        }
        return new EvalResult(ScoreSums.score(probabilities, labels), k, confusion, unpredicted);
    }

    public EvalResult plus(EvalResult o) {
        if (o.examples() == 0) {
            return this;
        }
        if (examples() == 0) {
            return o;
        }
        if (o.classes != classes) {
            throw new IllegalArgumentException("cannot add results over " + classes + " and " + o.classes + " classes");
        }
        long[] sum = confusion.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += o.confusion[i];
        }
        long[] none = unpredicted.clone();
        for (int i = 0; i < none.length; i++) {
            none[i] += o.unpredicted[i];
        }
        return new EvalResult(sums.plus(o.sums), classes, sum, none);
    }

    /** Examples, loss and hits without the per-class counts. */
    public ScoreSums sums() {
        return sums;
    }

    public long examples() {
        return sums.examples();
    }

    /** Mean cross-entropy; NaN when some row's outputs were not finite. */
    public double loss() {
        return sums.loss();
    }

    public double accuracy() {
        return sums.accuracy();
    }

    public double top5Accuracy() {
        return sums.top5Accuracy();
    }

    /** Images of class {@code actual} that the network put in class {@code predicted}. */
    public long confusion(int actual, int predicted) {
        return examples() == 0 ? 0 : confusion[actual * classes + predicted];
    }

    /** Images of class {@code actual} whose outputs were not finite: no class was predicted for them. */
    public long unpredicted(int actual) {
        return examples() == 0 ? 0 : unpredicted[actual];
    }
}
