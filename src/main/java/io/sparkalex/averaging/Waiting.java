package io.sparkalex.averaging;

import java.util.function.BooleanSupplier;

/** The one wait with a deadline that the exchange's and the relay's request threads do. */
final class Waiting {
    private Waiting() {
    }

    /**
     * Waits on {@code monitor} (the caller holds it) until {@code done} or {@code timeoutMs} has
     * passed; an interrupt ends the wait early, the thread's interrupt flag set again.
     */
    static void until(Object monitor, BooleanSupplier done, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            try {
                monitor.wait(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
