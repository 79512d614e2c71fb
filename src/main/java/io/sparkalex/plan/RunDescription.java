package io.sparkalex.plan;

/**
 * The run to plan: its data, its length, its layout. {@code coresPerWorker}, {@code batchSize}
 * and {@code device} other than the calibration's, {@code linkGbps} and {@code minibatchSeconds}
 * make the plan an extrapolation, which it says.
 *
 * @param testImages       scored once at the end (0: no test split)
 * @param coresPerNode     the nodes' cores: workers x coresPerWorker of them are the nodes rented
 * @param driverNode       the driver on a node of its own (counted in node-hours)
 * @param linkGbps         the driver's network link in Gbit/s; NaN: the calibration's measured rate
 * @param minibatchSeconds t_b of another machine (e.g. a GPU measured elsewhere); NaN: the calibration's
 */
public record RunDescription(long trainImages, long valImages, long testImages, int epochs, int batchSize,
                             int averagingFrequency, int workers, int coresPerWorker, int coresPerNode,
                             boolean driverNode, String device, double linkGbps, double minibatchSeconds) {

    /** The same run with {@code n} workers. */
    public RunDescription withWorkers(int n) {
        return new RunDescription(trainImages, valImages, testImages, epochs, batchSize, averagingFrequency, n,
                coresPerWorker, coresPerNode, driverNode, device, linkGbps, minibatchSeconds);
    }

    /** The nodes the workers need, whole nodes (the driver's not counted). */
    public int nodes() {
        int perNode = Math.max(1, coresPerNode / coresPerWorker);
        return (workers + perNode - 1) / perNode;
    }
}
