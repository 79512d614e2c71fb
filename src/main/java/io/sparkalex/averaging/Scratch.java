package io.sparkalex.averaging;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A worker thread's buffers for the parameter exchange, kept across rounds: allocating 233 MB of
 * off-heap memory (and touching every page of it) each round would cost as much as the copy.
 * Per thread because an executor runs one worker task per core, each with its own.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> MINE = ThreadLocal.withInitial(Scratch::new);

    private INDArray floats;
    private INDArray wire;

    private Scratch() {
    }

    /** A float32 array of {@code length}, contents undefined. */
    static INDArray floats(long length) {
        Scratch s = MINE.get();
        if (s.floats == null || s.floats.length() != length) {
            s.floats = Nd4j.createUninitialized(DataType.FLOAT, 1, length);
        }
        return s.floats;
    }

    /** An array of the transfer's wire type and {@code length}, contents undefined. */
    static INDArray wire(Transfer transfer, long length) {
        Scratch s = MINE.get();
        if (s.wire == null || s.wire.length() != length || s.wire.dataType() != transfer.wireType) {
            s.wire = Nd4j.createUninitialized(transfer.wireType, 1, length);
        }
        return s.wire;
    }
}
