package io.sparkalex.eval;

/**
 * How one row of softmax outputs scores against its true class: the one rule behind every count
 * the job makes (evaluation, the training pass, {@code evaluate}, promotion).
 *
 * <p><b>Ties.</b> Classes are ranked by probability, ties broken by class index, lower first: the
 * true class's rank is the number of classes with a higher probability plus the tied ones before
 * it. A tie with an earlier class is therefore a miss (ND4J's {@code Evaluation} counts it a hit),
 * so a network that outputs a constant gets no free hits; top-5 is a rank below 5 by the same rule,
 * and the predicted class (the confusion matrix's column) is the first class of highest probability.
 *
 * <p><b>Non-finite outputs.</b> A row holding a NaN or an infinity (a diverged network) has no
 * rank and no predicted class: it is a miss for top-1 and top-5, it counts against its class's
 * recall, and its loss is NaN, which makes the mean loss NaN.
 */
final class RowScore {
    /** The rank, or predicted class, of a row with a non-finite output. */
    static final int NONE = -1;
    /** Probability floor so one confident mistake gives a large, finite loss (as DL4J clips). */
    private static final double MIN_PROB = 1e-10;

    private RowScore() {
    }

    /** Classes ranked above the true class (0: a top-1 hit, under 5: a top-5 hit), or {@link #NONE}. */
    static int rank(float[] p, int label) {
        if (!finite(p)) {
            return NONE;
        }
        int ranked = 0;
        for (int c = 0; c < p.length; c++) {
            if (p[c] > p[label] || (p[c] == p[label] && c < label)) {
                ranked++;
            }
        }
        return ranked;
    }

    /** The first class of highest probability, or {@link #NONE}. */
    static int predicted(float[] p) {
        if (!finite(p)) {
            return NONE;
        }
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Cross-entropy of the row, {@code -ln max(p[label], 1e-10)}; NaN for a row with a non-finite output. */
    static double loss(float[] p, int label) {
        return finite(p) ? -Math.log(Math.max(p[label], MIN_PROB)) : Double.NaN;
    }

    static boolean finite(float[] p) {
        for (float v : p) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
