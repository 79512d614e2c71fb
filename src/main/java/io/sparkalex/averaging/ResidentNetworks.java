package io.sparkalex.averaging;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The worker networks an executor JVM keeps between averaging rounds, per training run, each
 * under the partition that trained it.
 *
 * <p>A worker takes the network of its own partition at the start of its task and gives it back
 * once its result is built; a task slot is only freed after Spark has serialised that result, so
 * a network is never trained by one task while another is still shipping its parameters. Keyed
 * by partition so that partition p always continues partition p's optimizer state: in local mode,
 * where all workers are threads of one JVM, a run is then the same computation every time (and a
 * resumed run the same as an uninterrupted one) whichever thread runs which task. On a cluster a
 * partition that moved to another executor takes any network free there. Networks of an older
 * run are dropped when a new run takes its first one.
 */
final class ResidentNetworks {
    private static final Map<String, TreeMap<Integer, Kept>> POOL = new HashMap<>();

    /** A network, the epoch whose round it last trained, and the driver's parameters it started from. */
    private record Kept(Replica replica, int epoch) {
    }

    /**
     * A worker's network and {@code base}, the driver's parameters of {@code version} (the
     * round's start), bit-identical to the driver's: what the network's training changed is its
     * parameters minus {@code base}, and the next round's update applies to {@code base}.
     */
    record Replica(MultiLayerNetwork network, INDArray base, long version) {
    }

    private ResidentNetworks() {
    }

    /**
     * The network this JVM kept for {@code run}'s {@code partition} in this {@code epoch}, else any
     * free one of the run and epoch, else null. Networks of earlier epochs are dropped: a partition
     * that had no minibatch in an epoch's last round still holds one, and must not carry its
     * optimizer state past the epoch's average.
     */
    static synchronized Replica take(String run, int partition, int epoch) {
        POOL.keySet().removeIf(r -> !r.equals(run));
        TreeMap<Integer, Kept> free = POOL.get(run);
        if (free == null) {
            return null;
        }
        free.values().removeIf(k -> k.epoch() != epoch);
        if (free.isEmpty()) {
            return null;
        }
        Kept own = free.remove(partition);
        if (own != null) {
            return own.replica();
        }
        Iterator<Kept> any = free.values().iterator();
        Replica replica = any.next().replica();
        any.remove();
        return replica;
    }

    static synchronized void give(String run, int partition, int epoch, Replica replica) {
        POOL.computeIfAbsent(run, r -> new TreeMap<>()).put(partition, new Kept(replica, epoch));
    }

    /** Drops the networks of {@code run} (they are freed with the next GC); returns how many. */
    static synchronized int release(String run) {
        TreeMap<Integer, Kept> free = POOL.remove(run);
        return free == null ? 0 : free.size();
    }
}
