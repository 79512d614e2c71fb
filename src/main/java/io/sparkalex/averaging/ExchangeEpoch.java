package io.sparkalex.averaging;

import io.sparkalex.eval.ScoreSums;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An epoch of the exchange: its rounds, applied one after the other, each summing its partitions'
 * results in partition order, and what the driver saw of each (for {@code rounds.jsonl}).
 *
 * <p>Concurrency: the {@link RoundLedger} moves {@link #opened} and {@link #halted} under its
 * write lock (both volatile, read by request threads without it) and {@link #reported} under its
 * {@code advanced} monitor; a {@link Round} guards its partitions and sums with its own monitor,
 * so results of one round are added one at a time, in partition order, whichever arrives first.
 */
final class ExchangeEpoch {
    final long startVersion;
    final Round[] rounds;
    final ParameterExchange.RoundApplied listener;
    /** Rounds applied so far; the open round is {@code rounds[opened]}. */
    volatile int opened;
    /** Why the epoch halted (training diverged), or null; set once. */
    volatile String halted;
    /** Rounds applied and told to the listener (guarded by the ledger's {@code advanced}). */
    int reported;

    ExchangeEpoch(long startVersion, int[] participants, long length, ParameterExchange.RoundApplied listener,
                  RoundAverager averager) {
        this.startVersion = startVersion;
        this.listener = listener;
        this.rounds = new Round[participants.length];
        for (int k = 0; k < participants.length; k++) {
            rounds[k] = new Round(k, startVersion + k, participants[k], length, averager);
        }
        if (rounds.length > 0) {
            rounds[0].startNanos = System.nanoTime();
        }
    }

    boolean done() {
        return opened >= rounds.length;
    }

    /** The round now taking results, or null once all are applied. */
    Round open() {
        return done() ? null : rounds[opened];
    }

    /** The round that starts from version {@code v}, or null if none of this epoch's does. */
    Round at(long v) {
        long k = v - startVersion;
        return k >= 0 && k < rounds.length ? rounds[(int) k] : null;
    }

    void asked(long v, int partition, long nanos) {
        Round r = at(v);
        if (r != null) {
            r.asked(partition, nanos);
        }
    }

    void sent(long v, long bytes) {
        Round r = at(v);
        if (r != null) {
            r.sentBytes.addAndGet(bytes);
        }
    }

    /** The records of the first {@code n} rounds. */
    List<ParameterExchange.RoundRecord> records(int n) {
        List<ParameterExchange.RoundRecord> records = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            records.add(rounds[k].record());
        }
        return records;
    }

    /** Gives the results still waiting back to the pool. */
    void release() {
        for (Round r : rounds) {
            r.release();
        }
    }

    /** One round's results, summed in partition order. */
    static final class Round {
        final int index;
        final long version;
        final int partitions;
        final long length;
        private final RoundAverager averager;
        private final Map<Integer, INDArray> waiting = new HashMap<>();
        /** The training pass's sums of each partition's accepted result. */
        private final ScoreSums[] fits;
        private final long[] firstAsked;
        private final AtomicLong sentBytes = new AtomicLong();
        final AtomicLong receivedBytes = new AtomicLong();
        private int next;
        private int lastPartition = -1;
        volatile long startNanos;
        volatile long endNanos;
        volatile long applyNanos;

        Round(int index, long version, int partitions, long length, RoundAverager averager) {
            this.index = index;
            this.version = version;
            this.partitions = partitions;
            this.length = length;
            this.averager = averager;
            this.firstAsked = new long[partitions];
            this.fits = new ScoreSums[partitions];
        }

        synchronized void asked(int partition, long nanos) {
            if (partition >= 0 && partition < partitions && firstAsked[partition] == 0) {
                firstAsked[partition] = nanos;
            }
        }

        /** Whether {@code partition}'s result is in (summed, or waiting for the ones before it). */
        synchronized boolean has(int partition) {
            return partition < next || waiting.containsKey(partition);
        }

        /** Adds what can be added in partition order; true when this result completed the round. */
        synchronized boolean offer(int partition, INDArray result, ScoreSums fit) {
            if (has(partition) || next == partitions) {
                averager.recycle(result);   // a retried task's second result
                return false;
            }
            waiting.put(partition, result);
            fits[partition] = fit;
            lastPartition = partition;
            for (INDArray r = waiting.remove(next); r != null; r = waiting.remove(next)) {
                averager.add(r, next);
                averager.recycle(r);
                next++;
            }
            return next == partitions;
        }

        /** The partitions whose results have not arrived. */
        synchronized List<Integer> missing() {
            List<Integer> m = new ArrayList<>();
            for (int p = next; p < partitions; p++) {
                if (!waiting.containsKey(p)) {
                    m.add(p);
                }
            }
            return m;
        }

        synchronized ParameterExchange.RoundRecord record() {
            long asked = lastPartition >= 0 ? firstAsked[lastPartition] : 0;
            ScoreSums fit = ScoreSums.EMPTY;
            for (ScoreSums f : fits) {
                fit = f == null ? fit : fit.plus(f);   // partition order: the same bits in every run
            }
            return new ParameterExchange.RoundRecord(index + 1, version, partitions, startNanos, endNanos, applyNanos,
                    lastPartition, asked, sentBytes.get(), receivedBytes.get(), fit);
        }

        synchronized void release() {
            waiting.values().forEach(averager::recycle);
            waiting.clear();
        }
    }
}
