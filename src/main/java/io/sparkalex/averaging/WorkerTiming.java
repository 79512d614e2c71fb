package io.sparkalex.averaging;

import java.io.Serializable;

/**
 * What one worker did in one averaging round, measured in its executor and returned with its
 * epoch task's result: getting the round's parameters ({@code fetchNanos}: transfer only, not the
 * wait for other workers, which the driver reports; {@code copyNanos}: decoding, adding, copying
 * into its network, chunk by chunk as the bytes arrive unless a relay needs the change whole), fitting its minibatches, the rest of the
 * round on the worker ({@code otherNanos}: waiting for a minibatch, the schedule), sending its
 * result ({@code uploadNanos}) and, in its last round of the epoch, writing its optimizer state.
 * {@code score}: the network's score after the round; {@code relayed}: the change came from the
 * worker's parent in the relay tree (whose own fetch and copy then precede this one's). A class, not a record: Spark's Kryo, which
 * serialises task results, cannot build records.
 */
public final class WorkerTiming implements Serializable {
    private static final long serialVersionUID = 2L;
    private final int epoch;
    private final int round;
    private final int partition;
    private final long fetchNanos;
    private final long copyNanos;
    private final long fitNanos;
    private final int minibatches;
    private final long otherNanos;
    private final long uploadNanos;
    private final long stateFileNanos;
    private final double score;
    private final boolean relayed;

    public WorkerTiming(int epoch, int round, int partition, long fetchNanos, long copyNanos, long fitNanos,
                        int minibatches, long otherNanos, long uploadNanos, long stateFileNanos, double score,
                        boolean relayed) {
        this.epoch = epoch;
        this.round = round;
        this.partition = partition;
        this.fetchNanos = fetchNanos;
        this.copyNanos = copyNanos;
        this.fitNanos = fitNanos;
        this.minibatches = minibatches;
        this.otherNanos = otherNanos;
        this.uploadNanos = uploadNanos;
        this.stateFileNanos = stateFileNanos;
        this.score = score;
        this.relayed = relayed;
    }

    /** A worker's round of which nothing is known (its timings were lost with its task). */
    static WorkerTiming unknown(int epoch, int round, int partition) {
        return new WorkerTiming(epoch, round, partition, 0, 0, 0, 0, 0, 0, 0, 0, false);
    }

    /** The same, with the optimizer state's write time. */
    WorkerTiming withStateFile(long nanos) {
        return new WorkerTiming(epoch, round, partition, fetchNanos, copyNanos, fitNanos, minibatches, otherNanos,
                uploadNanos, nanos, score, relayed);
    }

    public int epoch() {
        return epoch;
    }

    public int round() {
        return round;
    }

    public int partition() {
        return partition;
    }

    public long fetchNanos() {
        return fetchNanos;
    }

    public long copyNanos() {
        return copyNanos;
    }

    public long fitNanos() {
        return fitNanos;
    }

    public int minibatches() {
        return minibatches;
    }

    public long otherNanos() {
        return otherNanos;
    }

    public long uploadNanos() {
        return uploadNanos;
    }

    public long stateFileNanos() {
        return stateFileNanos;
    }

    public double score() {
        return score;
    }

    /** Whether the round's change came from the parent's {@link UpdateRelay}, not the driver. */
    public boolean relayed() {
        return relayed;
    }
}
