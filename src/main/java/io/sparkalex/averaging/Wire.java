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
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Moves an ND4J array's off-heap bytes to and from a stream, and does the exchange's bfloat16
 * arithmetic on the way, chunk by chunk: the exchange's one encoding is the array's own memory
 * (little-endian, no header).
 *
 * <p>Why chunks of plain Java arrays on the worker: applying a change with ND4J is three passes
 * over 233 MB (cast to float32, add, copy into the network) and two 233 MB scratch rows, and it
 * can only start once the whole change has arrived. Here each 64K-value chunk is decoded, added
 * and copied while it is in cache, as it comes off the socket (one pass, overlapped with the
 * transfer), and a worker's change is encoded as it is sent. bfloat16 is the upper half of a
 * float32, so decoding is a shift; encoding rounds to nearest even. (The driver, whose work is
 * not overlapped with a transfer, uses ND4J's vectorised casts: see {@link ParameterExchange}.)
 */
final class Wire {
    /** Values per chunk: three float/short arrays of it stay in a core's L2 cache. */
    private static final int VALUES = 1 << 16;

    /** A thread's chunk arrays. Copies go through a 1 MB byte array: 8 KB copies halved the throughput. */
    private static final class Chunk {
        final byte[] bytes = new byte[1 << 20];
        final ShortBuffer shortsOfBytes = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        final float[] a = new float[VALUES];
        final float[] b = new float[VALUES];
        final short[] s = new short[VALUES];
    }

    private static final ThreadLocal<Chunk> CHUNK = ThreadLocal.withInitial(Chunk::new);

    private Wire() {
    }

    /** The array's memory; the array must own a contiguous buffer (as {@link #owning} makes sure). */
    static ByteBuffer bytes(INDArray array) {
        long bytes = array.length() * array.dataType().width();
        ByteBuffer b = array.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        b.position(0).limit(Math.toIntExact(bytes));
        return b;
    }

    static boolean owns(INDArray array) {
        return !array.isView() && array.offset() == 0 && array.data().length() == array.length();
    }

    /** {@code array} itself when it owns its whole buffer, else a copy that does. */
    static INDArray owning(INDArray array) {
        return owns(array) ? array : array.dup('c');
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
        byte[] chunk = CHUNK.get().bytes;
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
        byte[] chunk = CHUNK.get().bytes;
        while (b.hasRemaining()) {
            int n = in.read(chunk, 0, Math.min(chunk.length, b.remaining()));
            if (n < 0) {
                throw new EOFException("stream ended after " + b.position() + " of " + b.limit() + " bytes");
            }
            b.put(chunk, 0, n);
        }
    }

    /**
     * Reads a bfloat16 change of {@code base}'s length from {@code in} and adds it to {@code base}
     * (float32), copying the sums into {@code copy} too (the network's parameters; null: none), in
     * one pass as the bytes arrive. Returns the nanoseconds spent computing, not waiting for bytes.
     */
    static long addChange(InputStream in, INDArray base, INDArray copy) throws IOException {
        Chunk c = CHUNK.get();
        FloatBuffer into = floats(base);
        FloatBuffer also = copy == null ? null : floats(copy);
        int n = into.capacity();
        long computing = 0;
        for (int off = 0; off < n; off += VALUES) {
            int m = Math.min(VALUES, n - off);
            readFully(in, c.bytes, 2 * m);
            long t = System.nanoTime();
            c.shortsOfBytes.get(0, c.s, 0, m);
            into.get(off, c.a, 0, m);
            for (int i = 0; i < m; i++) {
                c.a[i] += decode(c.s[i]);
            }
            into.put(off, c.a, 0, m);
            if (also != null) {
                also.put(off, c.a, 0, m);
            }
            computing += System.nanoTime() - t;
        }
        return computing;
    }

    /** Writes {@code params - base} (float32 rows) to {@code out} as bfloat16, in one pass. */
    static void writeChange(OutputStream out, INDArray params, INDArray base) throws IOException {
        Chunk c = CHUNK.get();
        FloatBuffer p = floats(params);
        FloatBuffer b = floats(base);
        int n = p.capacity();
        for (int off = 0; off < n; off += VALUES) {
            int m = Math.min(VALUES, n - off);
            p.get(off, c.a, 0, m);
            b.get(off, c.b, 0, m);
            for (int i = 0; i < m; i++) {
                c.s[i] = encode(c.a[i] - c.b[i]);
            }
            c.shortsOfBytes.put(0, c.s, 0, m);
            out.write(c.bytes, 0, 2 * m);
        }
        out.flush();
    }

    /** bfloat16 bits to float32: the upper half of its bits. */
    static float decode(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** float32 to bfloat16, rounded to nearest even; a NaN stays a NaN. */
    static short encode(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    private static FloatBuffer floats(INDArray array) {
        check(array, DataType.FLOAT);
        return bytes(array).asFloatBuffer();
    }

    private static void check(INDArray array, DataType type) {
        if (array.dataType() != type || !owns(array)) {
            throw new IllegalArgumentException("expected a " + type + " array owning its buffer, got "
                    + array.dataType() + (owns(array) ? "" : " (a view)"));
        }
    }

    private static void readFully(InputStream in, byte[] into, int bytes) throws IOException {
        int got = in.readNBytes(into, 0, bytes);
        if (got != bytes) {
            throw new EOFException("stream ended " + (bytes - got) + " bytes early");
        }
    }
}
