package io.sparkalex.averaging;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The arrays the exchange's requests are sending, so that none is written while it is: a
 * request takes its version's array (the change, or one copy of the parameters per version) under
 * the ledger's read lock and sends it after releasing the lock; the next round's change, or the
 * next version's copy, goes to another array while a request still sends the old one. A reader
 * that stops reading then holds up no round.
 *
 * <p>Concurrency: every method is synchronized on this object; none blocks on I/O.
 */
final class ServedArrays {
    /** The parameters of {@code snapshotVersion} as requests get them. */
    private INDArray snapshot;
    private long snapshotVersion = -1;
    /** The arrays requests are sending, and how many send each. */
    private final Map<INDArray, Integer> sending = new IdentityHashMap<>();

    /** {@code change} (may be null), taken by a request. */
    synchronized INDArray take(INDArray change) {
        if (change != null) {
            sending.merge(change, 1, Integer::sum);
        }
        return change;
    }

    /** A copy of {@code params} at {@code version}, made once per version, taken by a request. */
    synchronized INDArray takeParameters(INDArray params, long version) {
        if (snapshot == null || snapshotVersion != version) {
            snapshot = sending.containsKey(snapshot) ? params.dup('c')
                    : Wire.reuse(snapshot, DataType.FLOAT, params.length()).assign(params);
            snapshotVersion = version;
        }
        return take(snapshot);
    }

    /** A request has sent (or failed to send) {@code body}. */
    synchronized void release(INDArray body) {
        sending.computeIfPresent(body, (a, n) -> n == 1 ? null : n - 1);
    }

    /** {@code old} when no request is sending it (it may be written), else null. */
    synchronized INDArray reusable(INDArray old) {
        return old != null && sending.containsKey(old) ? null : old;
    }
}
