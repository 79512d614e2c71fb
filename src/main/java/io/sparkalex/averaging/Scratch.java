package io.sparkalex.averaging;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        s.floats = Wire.reuse(s.floats, DataType.FLOAT, length);
        return s.floats;
    }

    /** An array of the transfer's wire type and {@code length}, contents undefined. */
    static INDArray wire(Transfer transfer, long length) {
        Scratch s = MINE.get();
        s.wire = Wire.reuse(s.wire, transfer.wireType, length);
        return s.wire;
    }
}
