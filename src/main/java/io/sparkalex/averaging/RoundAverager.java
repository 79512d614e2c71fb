package io.sparkalex.averaging;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;

/**
 * The exchange's arithmetic: a round's results summed in float32, and their average applied,
 * as float32 parameters or (bf16 transfer) as the bfloat16 change the workers add, with the
 * buffers results arrive in reused from round to round.
 *
 * <p>Concurrency: {@link #buffer} and {@link #recycle} may be called from any request thread (the
 * pool is guarded by itself); {@link #add} is called by one thread at a time in partition order
 * (the round's monitor, {@link ExchangeEpoch.Round#offer}); {@link #average} and
 * {@link #addToOwn} by the thread that applies the round, under the ledger's write and read lock.
 */
final class RoundAverager {
    private final Transfer transfer;
    /** The bf16 arithmetic (null for float32): a result's add and the average's rounding in slices on idle cores. */
    private final ChangeMath math;
    private final Deque<INDArray> free = new ArrayDeque<>();
    private INDArray sum;

    RoundAverager(Transfer transfer, ExecutorService threads) {
        this.transfer = transfer;
        this.math = transfer != Transfer.BF16 ? null
                : new ChangeMath(threads, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** Whether the bf16 arithmetic runs in Java's Vector API (else ND4J's). */
    boolean vectorised() {
        return math != null && math.vectorised();
    }

    /** A buffer for one result of {@code length} values in the transfer's wire type. */
    INDArray buffer(long length) {
        INDArray b;
        synchronized (free) {
            b = free.poll();
        }
        return Wire.reuse(b, transfer.wireType, length);
    }

    void recycle(INDArray b) {
        synchronized (free) {
            free.push(b);
        }
    }

    /** Adds the {@code index}-th result of a round (the first replaces the last round's sum). */
    void add(INDArray result, int index) {
        sum = Wire.reuse(sum, DataType.FLOAT, result.length());
        if (transfer == Transfer.BF16) {
            math.addResult(sum, result, index == 0);
        } else if (index == 0) {
            sum.assign(result);
        } else {
            sum.addi(result);
        }
    }

    /**
     * The round's average over {@code partitions} results: into {@code params} (float32; returns
     * null), or as the bfloat16 change the workers will add (bf16; returned, in {@code update}'s
     * memory when it fits; the ledger passes null, so that each round's change is an array of its own).
     */
    INDArray average(int partitions, INDArray params, INDArray update) {
        if (transfer == Transfer.FLOAT32) {
            params.assign(sum.divi(partitions));
            return null;
        }
        INDArray u = Wire.reuse(update, DataType.BFLOAT16, params.length());
        math.roundAverage(sum, partitions, u);
        return u;
    }

    /** Adds a bf16 average change to the driver's own parameters, exactly as the workers add it. */
    void addToOwn(INDArray update, INDArray params) {
        math.addToOwn(update, params);
    }
}
