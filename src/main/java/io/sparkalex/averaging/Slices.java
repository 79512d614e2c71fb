package io.sparkalex.averaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** A kernel over a row run in slices on idle cores: the driver's share of a round's arithmetic. */
final class Slices {
    private Slices() {
    }

    /** A kernel over values {@code from} to {@code to} of a row. */
    @FunctionalInterface
    interface Kernel {
        void run(int from, int to);
    }

    /**
     * Runs {@code kernel} over {@code [0, n)} in {@code k} slices of a multiple of 8 values (the
     * vector width), the first on the caller's thread and the others on {@code helpers}; returns when all are done.
     */
    static void run(int n, int k, Executor helpers, Kernel kernel) {
        int step = (n / k + 7) & -8;
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (int j = 1; j < k; j++) {
            int from = Math.min(n, j * step);
            int to = j == k - 1 ? n : Math.min(n, (j + 1) * step);
            others.add(CompletableFuture.runAsync(() -> kernel.run(from, to), helpers));
        }
        kernel.run(0, Math.min(n, step));
        others.forEach(CompletableFuture::join);
    }
}
