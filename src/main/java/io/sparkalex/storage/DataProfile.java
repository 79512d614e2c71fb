package io.sparkalex.storage;

import java.util.Map;

/**
 * The shape of the data a model was trained on, saved in its checkpoint so that a later run can
 * tell whether its data drifted: rows per class per split (from the CSV) and the share of rows
 * that could not be used per split ({@code overall} for all of them).
 */
public record DataProfile(Map<String, Map<String, Long>> classCounts, Map<String, Double> badFraction) {
    public static final String OVERALL = "overall";
}
