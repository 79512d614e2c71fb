package io.sparkalex.config;

/** Whether averaging workers pass each round's change down a tree ({@code exchange_relay}). */
public enum ExchangeRelay {
    AUTO, ON, OFF;

    /** AUTO: from 4 workers, where the tree's hops (log2 W + 1) are fewer than the driver's W sends. */
    public boolean enabled(int workers) {
        return this == ON || this == AUTO && workers >= 4;
    }
}
