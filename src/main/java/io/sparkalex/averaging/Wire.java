package io.sparkalex.averaging;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moves an ND4J array's off-heap bytes to and from a stream through a small reusable heap chunk:
 * the exchange's one encoding is the array's own memory (little-endian, no header).
 *
 * <p>The bfloat16 arithmetic (encoding a change, decoding and adding one) is {@link ChangeMath}'s,
 * after the transfer: decoding as the bytes arrive measured slower, in a scalar Java pass and in
 * ND4J casts on slices (bench/NOTES.md).
 */
final class Wire {
    /**
     * Copies go through a 1 MB array: {@code Channels.newChannel} on a socket's stream copies
     * 8 KB at a time, which halved the exchange's throughput.
     */
    private static final ThreadLocal<byte[]> CHUNK = ThreadLocal.withInitial(() -> new byte[1 << 20]);

    private Wire() {
    }

    /** This thread's copy chunk (1 MB), for code that fills or drains it itself. */
    static byte[] chunk() {
        return CHUNK.get();
    }

    /** The array's memory; the array must own a contiguous buffer (as {@link #owning} makes sure). */
    static ByteBuffer bytes(INDArray array) {
        long bytes = array.length() * array.dataType().width();
        ByteBuffer b = array.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        b.position(0).limit(Math.toIntExact(bytes));
        return b;
    }

    /** {@code array} itself when it owns its whole buffer, else a copy that does. */
    static INDArray owning(INDArray array) {
        boolean own = !array.isView() && array.offset() == 0 && array.data().length() == array.length();
        return own ? array : array.dup('c');
    }

    /**
     * {@code old} when it already is a {@code type} row of {@code length}, else a new one (contents
     * undefined): the exchange's buffers are 58M values each, reused from round to round.
     */
    static INDArray reuse(INDArray old, DataType type, long length) {
        return old != null && old.length() == length && old.dataType() == type ? old
                : Nd4j.createUninitialized(type, 1, length);
    }

    static void write(INDArray array, OutputStream out) throws IOException {
        ByteBuffer b = bytes(array);
        byte[] chunk = CHUNK.get();
        while (b.hasRemaining()) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
        out.flush();
    }

    /** Fills {@code array} from {@code in}; fails if the stream ends first. */
    static void read(InputStream in, INDArray array) throws IOException {
        ByteBuffer b = bytes(array);
        byte[] chunk = CHUNK.get();
        while (b.hasRemaining()) {
            int n = in.read(chunk, 0, Math.min(chunk.length, b.remaining()));
            if (n < 0) {
                throw new EOFException("stream ended after " + b.position() + " of " + b.limit() + " bytes");
            }
            b.put(chunk, 0, n);
        }
    }
}
