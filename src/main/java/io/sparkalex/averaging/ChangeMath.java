package io.sparkalex.averaging;

import io.sparkalex.nd4j.NonFinite;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.Executor;

/**
 * The bfloat16 arithmetic of an averaging round, on rows of all the network's parameters: a
 * worker encodes its change and adds the average change; the driver sums the workers' changes and
 * rounds their average. One place decides how: in one pass per operation with Java's Vector API
 * ({@link VectorChangeMath}) where the JVM has {@code jdk.incubator.vector} and the arrays live in
 * host memory, else with ND4J's casts and adds (a GPU backend, a JVM started without the module),
 * which take a pass over the row per cast or add and a float32 scratch row. Both give the same
 * bits, so driver and workers stay bit-identical whichever each uses.
 *
 * <p>Why it matters: these passes were a third of an averaging round's fixed cost on the 2-core
 * standalone cluster (bench/NOTES.md, "Fused bfloat16 arithmetic"). One instance per buffer
 * owner (a worker's replica, the driver's exchange): the ND4J path's scratch row is its own.
 */
final class ChangeMath {
    /** Whether the JVM can run {@link VectorChangeMath} (started with {@code --add-modules=jdk.incubator.vector}). */
    static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final boolean vector;
    /** Where the driver's kernels run their other slices (null: all on the caller's thread). */
    private final Executor helpers;
    private final int slices;
    private INDArray scratch;

    /** Vector kernels where this JVM and backend allow them. */
    ChangeMath() {
        this(VECTOR_MODULE && Nd4j.getEnvironment().isCPU(), null, 1);
    }

    /**
     * The driver's: {@link #addResult} and {@link #roundAverage} cut into {@code slices} slices,
     * all but one run on {@code helpers}. They are on the round's critical path while every worker
     * waits, so the driver's idle cores may as well share them.
     */
    ChangeMath(Executor helpers, int slices) {
        this(VECTOR_MODULE && Nd4j.getEnvironment().isCPU(), helpers, slices);
    }

    /** {@code vector}: the Vector API kernels (only where {@link #VECTOR_MODULE}); false: ND4J. */
    ChangeMath(boolean vector) {
        this(vector, null, 1);
    }

    private ChangeMath(boolean vector, Executor helpers, int slices) {
        this.helpers = helpers;
        this.slices = helpers == null ? 1 : Math.max(1, slices);
        if (vector && !VECTOR_MODULE) {
            throw new IllegalStateException("this JVM was started without --add-modules=jdk.incubator.vector");
        }
        this.vector = vector;
        if (vector) {
            VectorChangeMath.warmUpInBackground(helpers != null);
        }
    }

    /** Whether the kernels run in Java's Vector API (the log says which). */
    boolean vectorised() {
        return vector;
    }

    /**
     * {@code wire = bf16(params - base)}: what a worker's round changed, rounded to nearest even, a
     * NaN as the quiet NaN {@code 0x7FC0} (ND4J's cast alone may turn a NaN into an infinity or a
     * zero: its NaNs are made Java's quiet NaN first, which it casts to {@code 0x7FC0}).
     */
    void encodeChange(INDArray params, INDArray base, INDArray wire) {
        if (direct(params, base, wire)) {
            VectorChangeMath.encodeChange(Wire.bytes(params), Wire.bytes(base), Wire.bytes(wire), 0, n(params));
        } else {
            INDArray change = params.sub(base, scratch(params.length()));
            BooleanIndexing.replaceWhere(change, Float.NaN, Conditions.isNan());
            wire.assign(change);
        }
    }

    /**
     * Whether every value of a float32 or bfloat16 row is finite: what the driver checks of each
     * result before it is summed (one read of the row in the Vector API where the JVM has it).
     */
    static boolean finite(INDArray row) {
        if (direct(VECTOR_MODULE && Nd4j.getEnvironment().isCPU(), row)) {
            return VectorChangeMath.finite(Wire.bytes(row), row.dataType() == DataType.BFLOAT16, 0, n(row));
        }
        return NonFinite.count(row) == 0;
    }

    /**
     * Writes {@code bf16(params - base)} to {@code out}: a worker's result, encoded chunk by chunk
     * as it is sent (each chunk still in cache when the socket copies it); the ND4J path encodes
     * into {@code wire} first.
     */
    void writeChange(INDArray params, INDArray base, INDArray wire, OutputStream out) throws IOException {
        if (!direct(params, base)) {
            encodeChange(params, base, wire);
            Wire.write(wire, out);
            return;
        }
        ByteBuffer p = Wire.bytes(params);
        ByteBuffer b = Wire.bytes(base);
        byte[] chunk = Wire.chunk();
        ByteBuffer window = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        int n = n(params);
        for (int from = 0; from < n; from += chunk.length / 2) {
            int to = Math.min(n, from + chunk.length / 2);
            VectorChangeMath.encodeChange(p, b, window, from, to);
            out.write(chunk, 0, 2 * (to - from));
        }
        out.flush();
    }

    /**
     * Reads a bfloat16 change of {@code base}'s length from {@code in} and adds it as it arrives:
     * {@code base += change; copy = base}, chunk by chunk (decoded from cache). For a worker that
     * keeps nothing of a failed request (its task is retried from the round's parameters): a
     * request that dies midway leaves the change half added. The ND4J path reads it into
     * {@code wire}, then adds. Returns the nanoseconds spent adding.
     */
    long readAndAddChange(InputStream in, INDArray wire, INDArray base, INDArray copy) throws IOException {
        if (!direct(base, copy)) {
            Wire.read(in, wire);
            long t0 = System.nanoTime();
            addChange(wire, base, copy);
            return System.nanoTime() - t0;
        }
        ByteBuffer b = Wire.bytes(base);
        ByteBuffer c = Wire.bytes(copy);
        byte[] chunk = Wire.chunk();
        ByteBuffer window = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        int n = n(base);
        long adding = 0;
        for (int from = 0; from < n; from += chunk.length / 2) {
            int to = Math.min(n, from + chunk.length / 2);
            int bytes = 2 * (to - from);
            if (in.readNBytes(chunk, 0, bytes) < bytes) {
                throw new EOFException("the change ended after " + from + " of " + n + " values");
            }
            long t0 = System.nanoTime();
            VectorChangeMath.addChange(window, b, c, from, to);
            adding += System.nanoTime() - t0;
        }
        return adding;
    }

    /** {@code base += f32(change); copy = base}: a worker takes the round's average change, as the driver does. */
    void addChange(INDArray change, INDArray base, INDArray copy) {
        if (direct(change, base, copy)) {
            VectorChangeMath.addChange(Wire.bytes(change), Wire.bytes(base), Wire.bytes(copy), 0, n(base));
        } else {
            base.addi(scratch(base.length()).assign(change));
            copy.assign(base);
        }
    }

    /** {@code sum = f32(result)} for the first result of a round, else {@code sum += f32(result)}. */
    void addResult(INDArray sum, INDArray result, boolean first) {
        if (direct(sum, result)) {
            // each slice its own ByteBuffers over the same memory (a buffer is not shared across threads)
            sliced(n(sum), (from, to) -> VectorChangeMath.addResult(Wire.bytes(sum), Wire.bytes(result), first, from, to));
        } else if (first) {
            sum.assign(result);   // bfloat16 to float32 is exact
        } else {
            sum.addi(scratch(sum.length()).assign(result));
        }
    }

    /**
     * {@code params += f32(update)} on the caller's thread alone: the driver adding the published
     * average change to its own parameters while the workers fetch it (its other cores serve them).
     */
    void addToOwn(INDArray update, INDArray params) {
        if (direct(params, update)) {
            VectorChangeMath.addResult(Wire.bytes(params), Wire.bytes(update), false, 0, n(params));
        } else {
            params.addi(scratch(params.length()).assign(update));
        }
    }

    /**
     * {@code update = bf16(sum / workers)}: the driver rounds the average change once; it then adds
     * it to its own parameters as every worker does ({@link #addToOwn}). {@code sum} is spent.
     */
    void roundAverage(INDArray sum, int workers, INDArray update) {
        if (direct(sum, update)) {
            sliced(n(sum), (from, to) -> VectorChangeMath.roundAverage(Wire.bytes(sum), workers, Wire.bytes(update), from, to));
        } else {
            BooleanIndexing.replaceWhere(sum.divi(workers), Float.NaN, Conditions.isNan());   // as encodeChange
            update.assign(sum);
        }
    }

    /** The vector kernels address each array's own contiguous host memory, up to 2 GB (a ByteBuffer's limit). */
    /** Whether these arrays go to the vector kernels (tests check that theirs do). */
    boolean takesVectorPath(INDArray... arrays) {
        return direct(arrays);
    }

    private boolean direct(INDArray... arrays) {
        return direct(vector, arrays);
    }

    private static boolean direct(boolean vector, INDArray... arrays) {
        if (!vector) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.isView() || a.offset() != 0 || a.data().length() != a.length()
                    || a.length() * a.dataType().width() > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /** Runs {@code kernel} over {@code [0, n)} in {@link #slices} slices (vector-aligned), all but one on the helpers. */
    private void sliced(int n, Slices.Kernel kernel) {
        Slices.run(n, n < (1 << 20) ? 1 : slices, helpers, kernel);
    }

    private INDArray scratch(long length) {
        scratch = Wire.reuse(scratch, DataType.FLOAT, length);
        return scratch;
    }

    private static int n(INDArray a) {
        return Math.toIntExact(a.length());
    }
}
