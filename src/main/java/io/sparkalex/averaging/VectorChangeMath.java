package io.sparkalex.averaging;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ChangeMath}'s single-pass kernels in Java's Vector API (8 floats per step with AVX2):
 * each reads its rows once and writes each result once, where ND4J's casts and adds take a pass
 * over 58M values per operation. Loaded only when the JVM runs with
 * {@code --add-modules=jdk.incubator.vector} (conf/spark-defaults.conf, the pom's test JVMs).
 *
 * <p>Every kernel computes what the ND4J operations it replaces compute, bit for bit (IEEE
 * float32 sub, add and division; bfloat16 by round-to-nearest-even on the bits, a NaN made the
 * quiet NaN {@code 0x7FC0}): a driver and a worker may use either. {@code ChangeMathTest} compares them.
 */
final class VectorChangeMath {
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final int LANES = 8;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** The bfloat16 every NaN is encoded as: float32's quiet NaN ({@code Float.NaN}) cut to its upper half. */
    static final short QUIET_NAN = 0x7FC0;

    private static final Set<Boolean> WARMING = ConcurrentHashMap.newKeySet();

    private VectorChangeMath() {
    }

    /** Compiles the kernels once per JVM and role, on a background thread, before the first round needs them. */
    static void warmUpInBackground(boolean driver) {
        if (WARMING.add(driver)) {
            Thread t = new Thread(() -> warmUp(driver), "sparkalex-vector-warm-up");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * {@code out = bf16(params - base)} for values {@code from} to {@code to}; {@code out} holds them
     * from its start (a whole row: from 0; a chunk of the upload: one 1 MB window).
     */
    static void encodeChange(ByteBuffer params, ByteBuffer base, ByteBuffer out, int from, int to) {
        int i = from;
        for (int up = from + ((to - from) & -LANES); i < up; i += LANES) {
            FloatVector x = FloatVector.fromByteBuffer(FLOATS, params, 4 * i, LE)
                    .sub(FloatVector.fromByteBuffer(FLOATS, base, 4 * i, LE));
            toBf16(x).intoByteBuffer(out, 2 * (i - from), LE);
        }
        for (; i < to; i++) {
            out.putShort(2 * (i - from), toBf16(params.getFloat(4 * i) - base.getFloat(4 * i)));
        }
    }

    /**
     * {@code base += f32(in); copy = base} for values {@code from} to {@code to}; {@code in} holds
     * them from its start (a whole row, or a chunk as it arrived).
     */
    static void addChange(ByteBuffer in, ByteBuffer base, ByteBuffer copy, int from, int to) {
        int i = from;
        for (int up = from + ((to - from) & -LANES); i < up; i += LANES) {
            FloatVector b = FloatVector.fromByteBuffer(FLOATS, base, 4 * i, LE).add(fromBf16(in, i - from));
            b.intoByteBuffer(base, 4 * i, LE);
            b.intoByteBuffer(copy, 4 * i, LE);
        }
        for (; i < to; i++) {
            float b = base.getFloat(4 * i) + fromBf16(in.getShort(2 * (i - from)));
            base.putFloat(4 * i, b);
            copy.putFloat(4 * i, b);
        }
    }

    /** {@code sum = f32(result)} when {@code first}, else {@code sum += f32(result)}, for values {@code from} to {@code to}. */
    static void addResult(ByteBuffer sum, ByteBuffer result, boolean first, int from, int to) {
        int i = from;
        for (int up = from + ((to - from) & -LANES); i < up; i += LANES) {
            FloatVector r = fromBf16(result, i);
            (first ? r : FloatVector.fromByteBuffer(FLOATS, sum, 4 * i, LE).add(r)).intoByteBuffer(sum, 4 * i, LE);
        }
        for (; i < to; i++) {
            float r = fromBf16(result.getShort(2 * i));
            sum.putFloat(4 * i, first ? r : sum.getFloat(4 * i) + r);
        }
    }

    /** {@code update = bf16(sum / workers)}, for values {@code from} to {@code to}. */
    static void roundAverage(ByteBuffer sum, float workers, ByteBuffer update, int from, int to) {
        int i = from;
        for (int up = from + ((to - from) & -LANES); i < up; i += LANES) {
            toBf16(FloatVector.fromByteBuffer(FLOATS, sum, 4 * i, LE).div(workers)).intoByteBuffer(update, 2 * i, LE);
        }
        for (; i < to; i++) {
            update.putShort(2 * i, toBf16(sum.getFloat(4 * i) / workers));
        }
    }

    /**
     * Whether the values {@code from} to {@code to} of a bfloat16 ({@code bf16}) or float32 row are all
     * finite: none has an exponent of all ones (NaN or infinity).
     */
    static boolean finite(ByteBuffer row, boolean bf16, int from, int to) {
        int i = from;
        if (bf16) {
            VectorMask<Short> bad = SHORTS.maskAll(false);
            for (int up = from + ((to - from) & -LANES); i < up; i += LANES) {
                bad = bad.or(ShortVector.fromByteBuffer(SHORTS, row, 2 * i, LE).and((short) 0x7F80)
                        .compare(VectorOperators.EQ, (short) 0x7F80));
            }
            for (; i < to && !bad.anyTrue(); i++) {
                if ((row.getShort(2 * i) & 0x7F80) == 0x7F80) {
                    return false;
                }
            }
            return !bad.anyTrue();
        }
        VectorMask<Integer> bad = INTS.maskAll(false);
        for (int up = from + ((to - from) & -LANES); i < up; i += LANES) {
            bad = bad.or(IntVector.fromByteBuffer(INTS, row, 4 * i, LE).and(0x7F800000)
                    .compare(VectorOperators.EQ, 0x7F800000));
        }
        for (; i < to && !bad.anyTrue(); i++) {
            if ((row.getInt(4 * i) & 0x7F800000) == 0x7F800000) {
                return false;
            }
        }
        return !bad.anyTrue();
    }

    /**
     * Runs a worker's kernels (streamed encode and add; {@code driver}: the driver's sum and
     * rounding) on small rows until the JIT has compiled them: until then the Vector API runs as
     * objects, 10x slower (the first 58M-value calls took 0.7 s and 0.2 s instead of 0.08). Costs
     * ~1 s of one core, once per JVM and role.
     */
    static void warmUp(boolean driver) {
        int n = 1 << 16;
        ByteBuffer a = ByteBuffer.allocateDirect(4 * n);
        ByteBuffer b = ByteBuffer.allocateDirect(4 * n);
        ByteBuffer w = ByteBuffer.allocateDirect(2 * n);
        ByteBuffer chunk = ByteBuffer.wrap(new byte[2 * n]).order(LE);   // as the streamed paths use them
        for (int i = 0; i < 40; i++) {
            if (driver) {
                addResult(b, w, (i & 1) == 0, 0, n);
                roundAverage(b, 2, w, 0, n);
            } else {
                encodeChange(a, b, chunk, 0, n);
                addChange(chunk, a, b, 0, n);
            }
        }
    }

    private static FloatVector fromBf16(ByteBuffer wire, int i) {
        return widen(ShortVector.fromByteBuffer(SHORTS, wire, 2 * i, LE));
    }

    /** bfloat16 is float32's upper half: the sign-extended short shifted left by 16. */
    private static FloatVector widen(ShortVector s) {
        return ((IntVector) s.convertShape(VectorOperators.S2I, INTS, 0)).lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    /**
     * Round to nearest even on the bits, as ND4J's cast does, except that a NaN becomes the quiet
     * NaN {@code 0x7FC0}: rounded on its bits, a NaN's payload may carry into infinity or wrap to
     * zero, and a diverged worker's change would then pass the driver's check as a number.
     * ({@link ChangeMath} makes ND4J's path do the same.)
     */
    private static ShortVector toBf16(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7FFF)
                .lanewise(VectorOperators.LSHR, 16)
                .blend(QUIET_NAN, x.test(VectorOperators.IS_NAN).cast(INTS));
        return (ShortVector) rounded.convertShape(VectorOperators.I2S, SHORTS, 0);
    }

    private static float fromBf16(short s) {
        return Float.intBitsToFloat(s << 16);
    }

    private static short toBf16(float x) {
        if (Float.isNaN(x)) {
            return QUIET_NAN;
        }
        int bits = Float.floatToRawIntBits(x);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
