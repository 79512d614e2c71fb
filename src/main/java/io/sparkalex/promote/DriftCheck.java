package io.sparkalex.promote;

import io.sparkalex.storage.DataProfile;
import io.sparkalex.storage.DriftReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares the data of a run with the data the promoted model was trained on, before any
 * training: each class's share of the train rows, the classes that appeared or vanished, and
 * the share of rows that could not be used. Nightly data that changed shape is the commonest
 * reason a retrained model is worse; this says so before the cluster spends a night on it.
 */
public final class DriftCheck {
    private final double maxClassShareChange;
    private final double maxBadFractionIncrease;
    private final String action;

    public DriftCheck(double maxClassShareChange, double maxBadFractionIncrease, String action) {
        this.maxClassShareChange = maxClassShareChange;
        this.maxBadFractionIncrease = maxBadFractionIncrease;
        this.action = action;
    }

    /** The comparison of {@code now} with {@code reference} (the profile saved in the model at {@code referenceUri}). */
    public DriftReport compare(String referenceUri, DataProfile reference, DataProfile now) {
        Map<String, Long> before = reference.classCounts().getOrDefault("train", Map.of());
        Map<String, Long> after = now.classCounts().getOrDefault("train", Map.of());
        long totalBefore = Math.max(1, before.values().stream().mapToLong(Long::longValue).sum());
        long totalAfter = Math.max(1, after.values().stream().mapToLong(Long::longValue).sum());
        double largest = 0;
        String largestClass = null;
        List<String> appeared = new ArrayList<>();
        List<String> vanished = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(before.keySet());
        all.addAll(after.keySet());
        for (String c : all) {
            if (!before.containsKey(c)) {
                appeared.add(c);
            } else if (!after.containsKey(c)) {
                vanished.add(c);
            }
            double change = Math.abs(after.getOrDefault(c, 0L) / (double) totalAfter
                    - before.getOrDefault(c, 0L) / (double) totalBefore);
            if (change > largest) {
                largest = change;
                largestClass = c;
            }
        }
        double badIncrease = now.badFraction().getOrDefault(DataProfile.OVERALL, 0.0)
                - reference.badFraction().getOrDefault(DataProfile.OVERALL, 0.0);
        List<String> findings = new ArrayList<>();
        if (largest > maxClassShareChange) {
            findings.add(String.format(Locale.ROOT, "class %s's share of the train rows changed by %.3f (from %.3f to "
                            + "%.3f), above drift_max_class_share_change=%s", largestClass, largest,
                    before.getOrDefault(largestClass, 0L) / (double) totalBefore,
                    after.getOrDefault(largestClass, 0L) / (double) totalAfter, maxClassShareChange));
        }
        if (!appeared.isEmpty()) {
            findings.add("classes not in the promoted model's data: " + appeared);
        }
        if (!vanished.isEmpty()) {
            findings.add("classes of the promoted model's data missing now: " + vanished);
        }
        if (badIncrease > maxBadFractionIncrease) {
            findings.add(String.format(Locale.ROOT, "the share of unusable rows rose by %.3f (from %.3f to %.3f), above "
                            + "drift_max_bad_fraction_increase=%s", badIncrease,
                    reference.badFraction().getOrDefault(DataProfile.OVERALL, 0.0),
                    now.badFraction().getOrDefault(DataProfile.OVERALL, 0.0), maxBadFractionIncrease));
        }
        return new DriftReport(referenceUri, !findings.isEmpty(), action, largest, largestClass, badIncrease,
                appeared, vanished, findings);
    }
}
