package io.sparkalex.nd4j;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Kryo serializer for INDArrays that copies the data buffer as raw bytes in 1 MiB blocks.
 *
 * <p>ND4J's own ({@code Nd4jSerializer}, via {@code Nd4j.write}) writes one element at a time
 * through a {@code DataOutputStream}. Every parameter-averaging round moves each worker's
 * parameters through Kryo several times (broadcast, task result, tree aggregation), and at ND4J's
 * rate that took longer than the round's training steps once the layers ran in oneDNN (figures in
 * bench/NOTES.md). Arrays travel in C order; the byte order of the writer is recorded and must
 * match the reader's (every JVM platform Spark runs on today is little-endian).
 */
public final class RawNdArraySerializer extends Serializer<INDArray> {
    private static final int BLOCK = 1 << 20;
    private static final byte LITTLE_ENDIAN = 1;
    private static final byte BIG_ENDIAN = 2;

    @Override
    public void write(Kryo kryo, Output out, INDArray array) {
        long t0 = System.nanoTime();
        INDArray a = DenseArrays.cOrder(array);
        out.writeByte(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? LITTLE_ENDIAN : BIG_ENDIAN);
        out.writeString(a.dataType().name());
        long[] shape = a.shape();
        out.writeInt(shape.length, true);
        for (long d : shape) {
            out.writeLong(d, true);
        }
        if (a.isEmpty()) {
            return;
        }
        ByteBuffer data = a.data().asNio();
        long bytes = a.length() * a.dataType().width();
        inBlocks(bytes, (block, n) -> {
            data.get(block, 0, n);
            out.writeBytes(block, 0, n);
        });
        SerializationClock.WRITE_NANOS.add(System.nanoTime() - t0);
        SerializationClock.WRITE_BYTES.add(bytes);
    }

    @Override
    public INDArray read(Kryo kryo, Input in, Class<INDArray> type) {
        long t0 = System.nanoTime();
        byte order = in.readByte();
        if (order != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? LITTLE_ENDIAN : BIG_ENDIAN)) {
            throw new IllegalStateException("INDArray written on a JVM of the other byte order; mixed-endian "
                    + "clusters are not supported");
        }
        DataType dataType = DataType.valueOf(in.readString());
        long[] shape = new long[in.readInt(true)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = in.readLong(true);
        }
        // Deserialised arrays outlive whatever workspace the reading thread may have open.
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray a = Nd4j.createUninitialized(dataType, shape, 'c');
            if (a.isEmpty()) {
                return a;
            }
            ByteBuffer data = a.data().asNio();
            long bytes = a.length() * dataType.width();
            inBlocks(bytes, (block, n) -> {
                in.readBytes(block, 0, n);
                data.put(block, 0, n);
            });
            SerializationClock.READ_NANOS.add(System.nanoTime() - t0);
            SerializationClock.READ_BYTES.add(bytes);
            return a;
        }
    }

    private interface BlockCopy {
        void copy(byte[] block, int length);
    }

    /** Runs {@code step} over {@code bytes} bytes, one reused block of at most 1 MiB at a time. */
    private static void inBlocks(long bytes, BlockCopy step) {
        byte[] block = new byte[(int) Math.min(BLOCK, bytes)];
        for (long done = 0; done < bytes; ) {
            int n = (int) Math.min(block.length, bytes - done);
            step.copy(block, n);
            done += n;
        }
    }
}
