package io.sparkalex.averaging;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The worker networks an executor JVM keeps between averaging rounds, per training run.
 *
 * <p>A worker takes one at the start of its task and gives it back once its result is built; a
 * task slot is only freed after Spark has serialised that result, so a network is never trained
 * by one task while another is still shipping its parameters. In local mode all workers are
 * threads of the driver's JVM and the pool holds one network per concurrent task. Networks of an
 * older run are dropped when a new run takes its first one.
 */
final class ResidentNetworks {
    private static final Map<String, Deque<MultiLayerNetwork>> POOL = new HashMap<>();

    private ResidentNetworks() {
    }

    /** A network this JVM kept for {@code run}, or null if it has none free. */
    static synchronized MultiLayerNetwork take(String run) {
        POOL.keySet().removeIf(r -> !r.equals(run));
        Deque<MultiLayerNetwork> free = POOL.get(run);
        return free == null ? null : free.pollFirst();
    }

    static synchronized void give(String run, MultiLayerNetwork network) {
        POOL.computeIfAbsent(run, r -> new ArrayDeque<>()).addFirst(network);
    }

    /** Drops the networks of {@code run} (they are freed with the next GC); returns how many. */
    static synchronized int release(String run) {
        Deque<MultiLayerNetwork> free = POOL.remove(run);
        return free == null ? 0 : free.size();
    }
}
