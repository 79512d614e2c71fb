package io.sparkalex.config;

/** The val-split score that decides a promotion ({@code promote_metric}). */
public enum PromoteMetric {
    VAL_ACC, VAL_LOSS, VAL_TOP5;

    public boolean higherIsBetter() {
        return this != VAL_LOSS;
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
