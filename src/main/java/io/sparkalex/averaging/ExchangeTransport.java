package io.sparkalex.averaging;

import io.sparkalex.eval.ScoreSums;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.Serializable;
import java.util.function.LongPredicate;

/**
 * How a worker's epoch ({@link EpochWorker}) reaches the driver's exchange: fetch a round's
 * parameters or change, send its result, say where its relay listens, report divergence. The
 * round logic sees only this; {@link ExchangeLink} carries it over plain HTTP, and another
 * carrier (an authenticated one, say) implements it beside a server for {@link RoundRequests}.
 *
 * <p>Serialisable: it travels inside the epoch's worker. A refused or failed request throws
 * {@link IOException} (the task fails, Spark retries it); an epoch the exchange halted throws
 * {@link Halted}, which ends the task quietly.
 */
interface ExchangeTransport extends Serializable {
    /**
     * The exchange halted the epoch: training diverged ({@code reason} says where). Every worker then
     * ends its task without failing it (a retry would diverge again) and the driver stops the run.
     */
    final class Halted extends IOException {
        private static final long serialVersionUID = 1L;

        Halted(String reason) {
            super(reason);
        }
    }

    /**
     * What a fetch spent: waiting for its version (on the driver, or on a relay for its parent to
     * get it), moving the bytes (from the reply's first byte to its last), and computing on the
     * worker; whether it came from a relay.
     */
    record Fetched(long waitedNanos, long transferNanos, long computeNanos, boolean relayed) {
        Fetched plusCompute(long nanos) {
            return new Fetched(waitedNanos, transferNanos, computeNanos + nanos, relayed);
        }
    }

    /** What a round moves: float32 parameters, or bfloat16 changes. */
    Transfer transfer();

    /** Fills the float32 array {@code into} with the driver's parameters of {@code version}, waiting until it is current. */
    Fetched fetchParameters(long version, int partition, INDArray into) throws IOException;

    /**
     * Adds the bfloat16 change that made {@code version} (from the driver, or from the worker
     * relay at {@code relay}: host:port) to {@code base} and copies the sum into {@code copy}, as
     * the driver adds it; {@code received} (may be null) is told once the change is whole in {@code wire}.
     */
    Fetched addUpdate(String relay, long version, int partition, INDArray base, INDArray copy, INDArray wire,
                      ChangeMath math, Runnable received) throws IOException;

    /** Sends partition {@code partition}'s float32 parameters of the round that started from {@code version}. */
    void sendParameters(long version, int partition, INDArray params, ScoreSums fit) throws IOException;

    /** Sends what partition {@code partition}'s round changed ({@code params - base}) in bfloat16. */
    void sendChange(long version, int partition, INDArray params, INDArray base, INDArray wire, ChangeMath math,
                    ScoreSums fit) throws IOException;

    /** Partition {@code partition}'s training diverged in the round that started from {@code version}: answers {@link Halted}. */
    void halt(long version, int partition, String reason) throws IOException;

    /** The version a retried task of {@code partition} continues from. */
    long next(int partition) throws IOException;

    /** Starts this worker's update relay and tells the driver where it listens. */
    UpdateRelay startRelay(int partition, LongPredicate takesPart) throws IOException;

    /** Where partition {@code partition}'s update relay listens (host:port), or null if it has none. */
    String peer(int partition) throws IOException;
}
