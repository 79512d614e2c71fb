package io.sparkalex.averaging;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The exchange's state, whatever carries its requests: the current version and the parameters
 * (and bf16 change) it names, the open epoch and its rounds, in the order they open, are applied
 * and end. What a worker's request gets is {@link RoundRequests}'; {@link ParameterExchange} is
 * their HTTP carrier.
 *
 * <p>Concurrency: {@code state} (a read-write lock) guards {@link #params} and {@link #update}:
 * a request holds the read lock while it takes the version's array to send ({@link #servable},
 * never written again, and sent after the lock is released) or adds a result to the open round; a
 * round's apply, an epoch's opening, finishing, halting and abandoning take the write lock. The apply then
 * downgrades to the read lock while the driver adds a bf16 change to its own parameters, so the
 * workers fetch the change meanwhile but the next apply waits. {@code advanced} is the monitor
 * waiting requests sleep on; it is notified whenever {@link #version} or {@link #paramsVersion}
 * moves or an epoch ends, and guards {@link ExchangeEpoch#reported}.
 */
final class RoundLedger {
    private static final Logger log = LoggerFactory.getLogger(RoundLedger.class);
    private final Transfer transfer;
    private final RoundAverager averager;
    private final ReadWriteLock state = new ReentrantReadWriteLock();
    private final Object advanced = new Object();
    private volatile long version;
    /**
     * The version {@link #params} holds: behind {@link #version} while the driver adds a published
     * bf16 update to its own parameters (the workers fetch the update meanwhile).
     */
    private volatile long paramsVersion;
    private INDArray params;
    private INDArray update;
    private volatile ExchangeEpoch epoch;
    /** What requests are sending: never written while they are. */
    private final ServedArrays served = new ServedArrays();

    RoundLedger(Transfer transfer, RoundAverager averager) {
        this.transfer = transfer;
        this.averager = averager;
    }

    long version() {
        return version;
    }

    /** See {@link ParameterExchange#openEpoch}. */
    long openEpoch(INDArray parameters, int[] participants, ParameterExchange.RoundApplied listener) {
        state.writeLock().lock();
        try {
            if (epoch != null) {
                throw new IllegalStateException("an epoch is already open");
            }
            if (params != parameters) {
                params = parameters;
                update = null;   // not a change of these parameters
            }
            paramsVersion = version;
            epoch = new ExchangeEpoch(version, participants, params.length(), listener, averager);
            return version;
        } finally {
            state.writeLock().unlock();
        }
    }

    /** See {@link ParameterExchange#finishEpoch}. */
    ParameterExchange.EpochRounds finishEpoch(long timeoutMs) throws InterruptedException {
        ExchangeEpoch e = epoch;
        if (e == null) {
            throw new IllegalStateException("no open epoch");
        }
        synchronized (advanced) {
            Waiting.until(advanced, () -> e.reported >= e.rounds.length || epoch != e || e.halted != null, timeoutMs);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("waiting for the epoch's last round");
        }
        state.writeLock().lock();
        try {
            if (epoch != e) {
                throw new IllegalStateException("the epoch was abandoned");
            }
            epoch = null;
            if (e.halted != null) {
                e.release();
                return new ParameterExchange.EpochRounds(e.records(e.opened), e.halted);
            }
            if (!e.done()) {
                String missing = "round " + (e.opened + 1) + " of " + e.rounds.length + ": partitions "
                        + e.open().missing() + " never sent their results, though their tasks ended";
                e.release();
                throw new IllegalStateException(missing);
            }
            return new ParameterExchange.EpochRounds(e.records(e.rounds.length), null);
        } finally {
            state.writeLock().unlock();
        }
    }

    /**
     * Halts the open epoch, once: training diverged ({@code reason} says where). Waiting workers and
     * every later request get {@value RoundRequests#HALTED}; results not yet summed are dropped.
     */
    void halt(String reason) {
        state.writeLock().lock();
        try {
            ExchangeEpoch e = epoch;
            if (e == null || e.halted != null) {
                return;
            }
            e.halted = reason;
            e.release();
            log.warn("halting the epoch: {}", reason);
        } finally {
            state.writeLock().unlock();
        }
        wake();
    }

    /** See {@link ParameterExchange#abandonEpoch}. */
    void abandonEpoch() {
        state.writeLock().lock();
        try {
            if (epoch != null) {
                epoch.release();
                epoch = null;
            }
        } finally {
            state.writeLock().unlock();
        }
        wake();
    }

    /**
     * Applies the round: the average of the workers' parameters (float32), or the average of their
     * changes, rounded to bfloat16 (bf16; the next version's update); then opens the epoch's next
     * round and wakes the workers waiting for it. In bf16 the driver adds the update to its own
     * parameters after that, while the workers fetch it: off the round's critical path.
     */
    void apply(ExchangeEpoch e, ExchangeEpoch.Round r) {
        int rounds;
        state.writeLock().lock();
        try {
            if (epoch != e) {
                return;   // abandoned meanwhile
            }
            long t0 = System.nanoTime();
            // The last change's array again, unless a request is still sending it.
            update = averager.average(r.partitions, params, served.reusable(update));
            version++;
            if (transfer == Transfer.FLOAT32) {
                paramsVersion = version;
            }
            long t1 = System.nanoTime();
            r.applyNanos = t1 - t0;
            r.endNanos = t1;
            e.opened++;
            if (!e.done()) {
                e.open().startNanos = t1;
            }
            rounds = e.rounds.length;
            // Downgraded, not released: the next round's apply, finishEpoch and abandonEpoch (write
            // lock) wait until the driver's own parameters have the update; requests (read) do not.
            state.readLock().lock();
        } finally {
            state.writeLock().unlock();
        }
        try {
            wake();
            if (transfer == Transfer.BF16) {
                averager.addToOwn(update, params);   // exactly as the workers add it; GET params waits for it
                paramsVersion = version;
                wake();
            }
        } finally {
            state.readLock().unlock();
        }
        if (e.listener != null) {
            e.listener.applied(r.index + 1, rounds);
        }
        synchronized (advanced) {
            e.reported++;   // the epoch is finished once its last round is applied and told
            advanced.notifyAll();
        }
    }

    /** The open epoch, or null. */
    ExchangeEpoch epoch() {
        return epoch;
    }

    /**
     * Waits (at most {@code timeoutMs}) until version {@code v} is current ({@code change}: its
     * change published; else the driver's parameters at it), or {@code e} is no longer the open
     * epoch, or it halted.
     */
    void awaitVersion(long v, boolean change, ExchangeEpoch e, long timeoutMs) {
        synchronized (advanced) {
            Waiting.until(advanced, () -> (change ? version : paramsVersion) >= v || epoch != e || e == null
                    || e.halted != null, timeoutMs);
        }
    }

    /** Holds the read lock: the parameters, the change and the open round stay as they are until {@link #unlockRead}. */
    void lockRead() {
        state.readLock().lock();
    }

    void unlockRead() {
        state.readLock().unlock();
    }

    /**
     * What a request for the current version gets, fixed for good once taken, so that it is sent
     * without any lock held (a reader that stops reading then holds up no apply): the version's
     * change (bf16; each round's average goes to an array of its own; null before the first
     * round), or a copy of the parameters made once per version; {@link #sent} gives it back, and an
     * array being sent is never written (the next round's change or copy takes a new one). Call
     * holding the read lock.
     */
    INDArray servable(boolean change) {
        return change ? served.take(update) : params == null ? null : served.takeParameters(params, paramsVersion);
    }

    /** A request has sent (or failed to send) what {@link #servable} gave it. */
    void sent(INDArray body) {
        served.release(body);
    }

    private void wake() {
        synchronized (advanced) {
            advanced.notifyAll();
        }
    }
}
