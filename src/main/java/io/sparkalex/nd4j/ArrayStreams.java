package io.sparkalex.nd4j;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Writes an array in ND4J's own binary format ({@code Nd4j.write}, which {@code Nd4j.read} and
 * DL4J's {@code ModelSerializer} read), byte for byte, but float32 values in bulk: ND4J writes
 * them one {@code writeFloat} at a time, 22 s for a full AlexNet checkpoint with Adam's state
 * (700 MB), a third of an epoch's training on the bench machine; in bulk it is the disk's time.
 */
public final class ArrayStreams {
    /** Values per chunk: 4 MB through the heap at a time. */
    private static final int CHUNK = 1 << 20;

    private ArrayStreams() {
    }

    /** As {@code Nd4j.write(array, out)}: the shape information, then the data buffer (big-endian values). */
    public static void write(INDArray array, DataOutputStream out) throws IOException {
        if (array.isEmpty() || array.dataType() != DataType.FLOAT || array.length() > Integer.MAX_VALUE / 4) {
            Nd4j.write(array, out);
            return;
        }
        INDArray a = array.isView() || array.offset() != 0 || array.data().length() != array.length()
                ? array.dup('c') : array;
        DataBuffer data = a.data();
        a.shapeInfoDataBuffer().write(out);
        out.writeUTF(data.allocationMode().name());
        out.writeLong(a.length());
        out.writeUTF(data.dataType().name());
        FloatBuffer values = data.asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        values.limit((int) a.length());
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.BIG_ENDIAN);
        while (values.hasRemaining()) {
            int n = Math.min(CHUNK, values.remaining());
            chunk.clear();
            chunk.asFloatBuffer().put(values.slice().limit(n));
            values.position(values.position() + n);
            out.write(chunk.array(), 0, 4 * n);
        }
    }
}
