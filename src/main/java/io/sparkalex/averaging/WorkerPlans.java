package io.sparkalex.averaging;

import java.util.ArrayList;
import java.util.List;

/** How an epoch's minibatches are dealt to the resident workers, round by round. */
final class WorkerPlans {
    private WorkerPlans() {
    }

    /**
     * Each partition's minibatches by round: round {@code k}'s go, in order, to as many partitions as
     * it has minibatches (at most the workers), in contiguous slices of sizes within one, as Spark's
     * {@code parallelize} would slice them.
     */
    static List<EpochWorker.Plan> of(List<String> all, int[] sizes, int workers) {
        int partitions = 0;
        for (int size : sizes) {
            partitions = Math.max(partitions, Math.min(workers, size));
        }
        List<List<List<String>>> byPartition = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        int start = 0;
        for (int size : sizes) {
            int n = Math.min(workers, size);
            for (int p = 0; p < partitions; p++) {
                byPartition.get(p).add(p < n
                        ? new ArrayList<>(all.subList(start + (int) ((long) p * size / n),
                        start + (int) ((long) (p + 1) * size / n)))
                        : List.of());
            }
            start += size;
        }
        List<EpochWorker.Plan> plans = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            plans.add(new EpochWorker.Plan(p, byPartition.get(p)));
        }
        return plans;
    }
}
