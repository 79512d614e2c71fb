package io.sparkalex.averaging;

import java.util.List;
import java.util.Optional;

/**
 * Where a resident round's time went ({@link RoundBreakdown}), from what the driver saw of it
 * ({@link ParameterExchange.RoundRecord}) and what its workers measured ({@link WorkerTiming}).
 */
final class CriticalPath {
    private CriticalPath() {
    }

    /**
     * A round along its critical path, the worker whose result came last: how long after the round
     * opened it asked (the epoch's first round: the job launched, the task started), its transfer,
     * decoding and copying, fitting, the rest of its round, its upload, and the driver's apply.
     */
    static RoundBreakdown of(int epoch, ParameterExchange.RoundRecord r, List<WorkerTiming> timings) {
        WorkerTiming w = timing(timings, r.round(), r.lastPartition())
                .orElseGet(() -> WorkerTiming.unknown(epoch, r.round(), r.lastPartition()));
        int minibatches = timings.stream().filter(t -> t.round() == r.round()).mapToInt(WorkerTiming::minibatches)
                .sum();
        double round = (r.endNanos() - r.startNanos()) / 1e9;
        double launch = Math.max(0, r.lastAskedNanos() - r.startNanos()) / 1e9;
        // Relayed: the change reached this worker after its parents up the tree had received it.
        long relayed = 0;
        for (WorkerTiming t = w; t.relayed() && t.partition() > 0; ) {
            t = timing(timings, r.round(), (t.partition() - 1) / 2).orElse(null);
            if (t == null) {
                break;
            }
            relayed += t.fetchNanos();
        }
        return RoundBreakdown.of(epoch, r.round(), round).workers(r.partitions(), minibatches)
                .driverBefore(0, 0, launch)
                .worker(0, (w.fetchNanos() + relayed) / 1e9, w.copyNanos() / 1e9, w.fitNanos() / 1e9, w.otherNanos() / 1e9)
                .result(w.uploadNanos() / 1e9, 0, 0, 0).apply(r.applyNanos() / 1e9)
                .bytes(r.sentBytes(), r.receivedBytes()).build();
    }

    private static Optional<WorkerTiming> timing(List<WorkerTiming> timings, int round, int partition) {
        return timings.stream().filter(t -> t.round() == round && t.partition() == partition).findFirst();
    }
}
