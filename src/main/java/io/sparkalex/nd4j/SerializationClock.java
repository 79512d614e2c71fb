package io.sparkalex.nd4j;

import java.util.concurrent.atomic.LongAdder;

/**
 * Time and bytes this JVM spent in {@link RawNdArraySerializer}, writing and reading INDArrays:
 * on the driver, the broadcast of a round's parameters (write) and the workers' results (read).
 * Cumulative; a reader takes differences ({@link #snapshot()}).
 */
public final class SerializationClock {
    static final LongAdder WRITE_NANOS = new LongAdder();
    static final LongAdder WRITE_BYTES = new LongAdder();
    static final LongAdder READ_NANOS = new LongAdder();
    static final LongAdder READ_BYTES = new LongAdder();

    private SerializationClock() {
    }

    /** The totals so far. */
    public record Snapshot(long writeNanos, long writeBytes, long readNanos, long readBytes) {
        public Snapshot since(Snapshot earlier) {
            return new Snapshot(writeNanos - earlier.writeNanos, writeBytes - earlier.writeBytes,
                    readNanos - earlier.readNanos, readBytes - earlier.readBytes);
        }
    }

    public static Snapshot snapshot() {
        return new Snapshot(WRITE_NANOS.sum(), WRITE_BYTES.sum(), READ_NANOS.sum(), READ_BYTES.sum());
    }
}
