package io.sparkalex.averaging;

import io.sparkalex.eval.ScoreSums;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * What a worker's request to the exchange gets, whatever carries it: the round's parameters or
 * change ({@link #serve}), its result taken ({@link #accept}), where a retried task continues
 * ({@link #next}), its divergence noted ({@link #halted}). {@link ParameterExchange} carries them
 * over HTTP; another carrier calls the same methods and sends their {@link Answer}s its own way.
 *
 * <p>Concurrency: stateless itself; every method may run on any request thread at once, and
 * takes the {@link RoundLedger}'s read lock around what must see one version (taking the array to
 * send, which it then sends without the lock; the round a result joins). A request may wait up to
 * {@link #ROUND_WAIT_MS} for its version.
 */
final class RoundRequests {
    /** How long a worker's request waits for its round's version before it is told to give up. */
    static final long ROUND_WAIT_MS = TimeUnit.MINUTES.toMillis(10);
    /** The answer to every request of a halted epoch (HTTP's "gone"). */
    static final int HALTED = 410;

    /**
     * A request's answer other than an array: a status (HTTP's codes are the exchange's vocabulary
     * on any carrier), a text (null: none), and what the ledger does once it has been sent (null:
     * nothing), e.g. apply the round the result completed, off the worker's wait.
     */
    record Answer(int status, String text, Runnable then) {
        Answer(int status, String text) {
            this(status, text, null);
        }
    }

    /** Sends an array the request asked for; returns the bytes sent. */
    @FunctionalInterface
    interface Sender {
        long send(INDArray body, long waitedNanos) throws IOException;
    }

    /** Reads a result's bytes into a buffer of the transfer's wire type. */
    @FunctionalInterface
    interface Arrival {
        void readInto(INDArray buffer) throws IOException;
    }

    private final RoundLedger ledger;
    private final Transfer transfer;
    private final RoundAverager averager;

    RoundRequests(RoundLedger ledger, Transfer transfer, RoundAverager averager) {
        this.ledger = ledger;
        this.transfer = transfer;
        this.averager = averager;
    }

    /**
     * Waits until version {@code v} is current (or the wait is pointless), then sends its
     * parameters (float32) or the change that made it ({@code change}); null when sent.
     */
    Answer serve(long v, int partition, boolean change, Sender sender) throws IOException {
        long asked = System.nanoTime();
        ExchangeEpoch e = ledger.epoch();
        if (e != null) {
            e.asked(v, partition, asked);
        }
        ledger.awaitVersion(v, change, e, ROUND_WAIT_MS);
        long waited = System.nanoTime() - asked;
        if (halted(e) != null) {
            return halted(e);
        }
        INDArray body = null;
        ledger.lockRead();
        try {
            long version = ledger.version();
            body = v == version ? ledger.servable(change) : null;
            if (body == null) {
                boolean open = e != null && ledger.epoch() == e;
                return new Answer(409, "version " + v + (change ? " has no update" : " is not current")
                        + " (current " + version + (e != null && !open ? "; the epoch was abandoned" : "")
                        + (open && version < v ? "; waited " + ROUND_WAIT_MS / 1000 + " s for partitions "
                        + e.open().missing() + " of the round: fewer task slots than workers?" : "") + ")");
            }
        } finally {
            ledger.unlockRead();
        }
        try {
            long bytes = sender.send(body, waited);   // no lock held: a slow reader delays only itself
            if (e != null) {
                e.sent(v, bytes);
            }
            return null;
        } finally {
            ledger.sent(body);
        }
    }

    /** The version a new task of {@code partition} continues from: the open round's, unless it sent that one. */
    Answer next(int partition) {
        ledger.lockRead();
        try {
            ExchangeEpoch e = ledger.epoch();
            ExchangeEpoch.Round r = e == null ? null : e.open();
            long version = ledger.version();
            Answer gone = halted(e);
            return gone != null ? gone
                    : new Answer(200, Long.toString(r != null && r.has(partition) ? version + 1 : version));
        } finally {
            ledger.unlockRead();
        }
    }

    /**
     * Partition {@code partition}'s result of the round that starts from {@code v}: {@code bytes}
     * long (null: not said), with its training pass's sums ({@code fit}, {@link ScoreSums#encode}d;
     * null: none). Summed in partition order; the result that completes its round applies it once
     * the answer is sent. A non-finite result is refused and halts the epoch.
     */
    Answer accept(long v, int partition, Long bytes, String fit, Arrival arrival) throws IOException {
        ExchangeEpoch e = ledger.epoch();
        if (halted(e) != null) {
            return halted(e);
        }
        ExchangeEpoch.Round r = e == null ? null : e.open();
        if (r == null || r.version != v || partition < 0 || partition >= r.partitions) {
            return new Answer(409, "no open round " + v + " with partition " + partition);
        }
        long expected = transfer.bytes(r.length);
        if (bytes == null || bytes != expected) {
            return new Answer(400, "a result is " + expected + " bytes (got " + bytes + ")");
        }
        ScoreSums sums;
        try {
            sums = ScoreSums.parse(String.valueOf(fit));
        } catch (IllegalArgumentException bad) {
            return new Answer(400, "a result carries its training pass's sums: " + bad.getMessage());
        }
        INDArray body = averager.buffer(r.length);
        try {
            arrival.readInto(body);
        } catch (IOException ex) {
            averager.recycle(body);
            throw ex;
        }
        r.receivedBytes.addAndGet(expected);
        if (!ChangeMath.finite(body)) {
            averager.recycle(body);
            ledger.halt("round " + (r.index + 1) + " of " + e.rounds.length + ", partition " + partition
                    + ": its result holds NaN or infinite values (refused)");
            return halted(e) != null ? halted(e) : new Answer(409, "the epoch ended");
        }
        // Added only while its round is still the open one: a late task's result must not land in
        // the next round's sum (the sum's buffer is reused).
        ledger.lockRead();
        try {
            if (ledger.epoch() != e || e.open() != r) {
                averager.recycle(body);
                return new Answer(409, "round " + v + " was applied before this result arrived");
            }
            boolean complete = r.offer(partition, body, sums);
            return new Answer(204, null, complete ? () -> ledger.apply(e, r) : null);
        } finally {
            ledger.unlockRead();
        }
    }

    /** A worker's report that its training diverged in the round that starts from {@code v}: the epoch halts. */
    Answer halted(long v, int partition, String why) {
        ExchangeEpoch e = ledger.epoch();
        ExchangeEpoch.Round r = e == null ? null : e.at(v);
        if (r == null || partition < 0 || partition >= r.partitions) {
            return new Answer(409, "no round " + v + " with partition " + partition);
        }
        ledger.halt("round " + (r.index + 1) + " of " + e.rounds.length + ", partition " + partition + ": " + why);
        return new Answer(HALTED, e.halted);
    }

    /** {@value #HALTED} with the reason when {@code e} halted, else null. */
    private static Answer halted(ExchangeEpoch e) {
        String why = e == null ? null : e.halted;
        return why == null ? null : new Answer(HALTED, why);
    }
}
