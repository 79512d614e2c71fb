package io.sparkalex.eval;

import org.apache.spark.util.AccumulatorV2;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The training pass's sums from DL4J's own workers (gradient sharing, {@code optimizer_state =
 * averaged}), whose task results the job does not control: a Spark accumulator holding, per round
 * and partition, that task's sums so far. A later value for the same key replaces the earlier one,
 * so a task Spark runs twice (a lost executor, a resubmitted stage) is counted once, and
 * {@link #total} adds the parts in round, then partition order, so a run repeats to the bit.
 * Spark merges the accumulators of successful tasks only.
 */
public final class TrainingPassAccumulator extends AccumulatorV2<TrainingPassAccumulator.Entry, Map<Long, ScoreSums>> {
    private static final long serialVersionUID = 1L;

    /** One task's sums so far in {@code round} (0: an epoch without rounds). A class: Kryo cannot build records. */
    public static final class Entry implements Serializable {
        private static final long serialVersionUID = 1L;
        final long key;
        final ScoreSums sums;

        Entry(int round, int partition, ScoreSums sums) {
            this.key = ((long) round << 32) | (partition & 0xFFFFFFFFL);
            this.sums = sums;
        }
    }

    private TreeMap<Long, ScoreSums> parts = new TreeMap<>();

    @Override
    public boolean isZero() {
        return parts.isEmpty();
    }

    @Override
    public AccumulatorV2<Entry, Map<Long, ScoreSums>> copy() {
        TrainingPassAccumulator c = new TrainingPassAccumulator();
        c.parts = new TreeMap<>(parts);
        return c;
    }

    @Override
    public void reset() {
        parts = new TreeMap<>();
    }

    @Override
    public void add(Entry e) {
        parts.put(e.key, e.sums);
    }

    @Override
    public void merge(AccumulatorV2<Entry, Map<Long, ScoreSums>> other) {
        parts.putAll(other.value());
    }

    @Override
    public Map<Long, ScoreSums> value() {
        return parts;
    }

    /** The sums of {@code round}'s partitions, in partition order. */
    public ScoreSums round(int round) {
        ScoreSums s = ScoreSums.EMPTY;
        for (ScoreSums part : parts.subMap((long) round << 32, (long) (round + 1) << 32).values()) {
            s = s.plus(part);
        }
        return s;
    }

    /** Every part's sums, in round and partition order. */
    public ScoreSums total() {
        ScoreSums s = ScoreSums.EMPTY;
        for (ScoreSums part : parts.values()) {
            s = s.plus(part);
        }
        return s;
    }
}
