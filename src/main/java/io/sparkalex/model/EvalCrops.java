package io.sparkalex.model;

/**
 * How many crops of an image a network is scored on: the centre one, or the AlexNet paper's ten
 * (the four corners and the centre, and their mirror images, softmax averaged). The one place
 * that says which counts there are, for the config key, the command-line flags and the scorer.
 */
public final class EvalCrops {
    private EvalCrops() {
    }

    /** Whether {@code n} crops is a way to score: 1 or 10. */
    public static boolean allowed(int n) {
        return n == 1 || n == 10;
    }

    /** The error for a count that is not, given as {@code what} (a config key, a flag). */
    public static String refusal(String what, int n) {
        return what + " must be 1 or 10 (got " + n + ")";
    }
}
