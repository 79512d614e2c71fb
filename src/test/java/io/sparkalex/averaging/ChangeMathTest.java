package io.sparkalex.averaging;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ShortBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Vector API kernels give ND4J's bits: a driver and a worker may take either path and must
 * still add the same change to the same parameters. Rows of a length that is no multiple of the
 * vector width (the scalar tail), values across the float range, halfway ties of the rounding,
 * subnormals, infinities and NaN (encoded as the one quiet NaN by both).
 */
class ChangeMathTest {
    private static final int N = 10_007;

    private final ChangeMath vector = new ChangeMath(true);
    private final ChangeMath nd4j = new ChangeMath(false);

    @Test
    void theTestJvmRunsTheVectorKernels() {
        assertTrue(ChangeMath.VECTOR_MODULE, "the pom's test JVMs start with --add-modules=jdk.incubator.vector");
        assertTrue(new ChangeMath().vectorised());
        assertTrue(vector.takesVectorPath(values(1), values(2, 7), Nd4j.createUninitialized(DataType.BFLOAT16, 1, N)),
                "the arrays these tests compare take the vector kernels, not ND4J's fallback");
    }

    @Test
    void encodingAChangeRoundsAsNd4jDoes() {
        INDArray params = values(1);
        INDArray base = values(2);
        INDArray a = Nd4j.createUninitialized(DataType.BFLOAT16, 1, N);
        INDArray b = Nd4j.createUninitialized(DataType.BFLOAT16, 1, N);
        vector.encodeChange(params, base, a);
        nd4j.encodeChange(params, base, b);
        assertArrayEquals(shorts(b), shorts(a));
    }

    @Test
    void addingAChangeGivesNd4jsSumAndCopy() {
        INDArray change = values(3).castTo(DataType.BFLOAT16);
        INDArray base1 = values(4);
        INDArray base2 = base1.dup();
        INDArray copy1 = Nd4j.zeros(DataType.FLOAT, 1, N);
        INDArray copy2 = Nd4j.zeros(DataType.FLOAT, 1, N);
        vector.addChange(change, base1, copy1);
        nd4j.addChange(change, base2, copy2);
        assertArrayEquals(floatBits(base2), floatBits(base1));
        assertArrayEquals(floatBits(base1), floatBits(copy1));
        assertArrayEquals(floatBits(base2), floatBits(copy2));
    }

    @Test
    void summingAndAveragingResultsGivesNd4jsUpdateAndParameters() {
        for (int workers : new int[] {1, 2, 3, 7}) {
            INDArray sum1 = Nd4j.createUninitialized(DataType.FLOAT, 1, N);
            INDArray sum2 = Nd4j.createUninitialized(DataType.FLOAT, 1, N);
            for (int w = 0; w < workers; w++) {
                INDArray result = values(10 + w).castTo(DataType.BFLOAT16);
                vector.addResult(sum1, result, w == 0);
                nd4j.addResult(sum2, result, w == 0);
            }
            assertArrayEquals(floatBits(sum2), floatBits(sum1), workers + " workers' sum");
            INDArray params1 = values(5);
            INDArray params2 = params1.dup();
            INDArray update1 = Nd4j.createUninitialized(DataType.BFLOAT16, 1, N);
            INDArray update2 = Nd4j.createUninitialized(DataType.BFLOAT16, 1, N);
            vector.roundAverage(sum1, workers, update1);
            nd4j.roundAverage(sum2, workers, update2);
            vector.addToOwn(update1, params1);
            nd4j.addToOwn(update2, params2);
            assertArrayEquals(shorts(update2), shorts(update1), workers + " workers' update");
            assertArrayEquals(floatBits(params2), floatBits(params1), workers + " workers' parameters");
        }
    }

    /** The driver's kernels run in slices on several threads: the same bits as one pass. */
    @Test
    void theDriversSlicedKernelsGiveTheSameBits() {
        int n = 3_000_005;   // over the slicing threshold, three slices, the last one ragged
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            ChangeMath sliced = new ChangeMath(pool, 3);
            INDArray sum1 = Nd4j.createUninitialized(DataType.FLOAT, 1, n);
            INDArray sum2 = Nd4j.createUninitialized(DataType.FLOAT, 1, n);
            for (int w = 0; w < 3; w++) {
                INDArray result = values(20 + w, n).castTo(DataType.BFLOAT16);
                sliced.addResult(sum1, result, w == 0);
                nd4j.addResult(sum2, result, w == 0);
            }
            assertArrayEquals(floatBits(sum2), floatBits(sum1));
            INDArray update1 = Nd4j.createUninitialized(DataType.BFLOAT16, 1, n);
            INDArray update2 = Nd4j.createUninitialized(DataType.BFLOAT16, 1, n);
            sliced.roundAverage(sum1, 3, update1);
            nd4j.roundAverage(sum2, 3, update2);
            assertArrayEquals(shorts(update2), shorts(update1));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Encoded into the stream and added as it arrives, chunk by chunk: the same bytes and sums as whole rows. */
    @Test
    void streamedChangesGiveTheSameBytesAndSums() throws Exception {
        int n = 1_200_001;   // two 1 MB chunks and a ragged third
        INDArray params = values(30, n);
        INDArray base = values(31, n);
        INDArray wire = Nd4j.createUninitialized(DataType.BFLOAT16, 1, n);
        for (ChangeMath math : new ChangeMath[] {vector, nd4j}) {
            java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
            math.writeChange(params, base, wire, sent);
            INDArray whole = Nd4j.createUninitialized(DataType.BFLOAT16, 1, n);
            nd4j.encodeChange(params, base, whole);
            byte[] expected = new byte[2 * n];
            Wire.bytes(whole).get(expected);
            assertArrayEquals(expected, sent.toByteArray());

            INDArray streamedBase = values(32, n);
            INDArray streamedCopy = Nd4j.zeros(DataType.FLOAT, 1, n);
            math.readAndAddChange(new java.io.ByteArrayInputStream(expected), wire, streamedBase, streamedCopy);
            INDArray wholeBase = values(32, n);
            INDArray wholeCopy = Nd4j.zeros(DataType.FLOAT, 1, n);
            nd4j.addChange(whole, wholeBase, wholeCopy);
            assertArrayEquals(floatBits(wholeBase), floatBits(streamedBase));
            assertArrayEquals(floatBits(wholeCopy), floatBits(streamedCopy));

            byte[] cut = java.util.Arrays.copyOf(expected, expected.length - 2);
            assertThrows(java.io.EOFException.class, () -> math.readAndAddChange(new java.io.ByteArrayInputStream(cut),
                    wire, values(32, n), Nd4j.zeros(DataType.FLOAT, 1, n)), "a change that ends early is an error");
        }
    }

    /**
     * A NaN change is encoded as the quiet NaN 0x7FC0 on both paths, whatever its payload (rounded
     * on its bits, 0x7F800001 became +infinity and 0x7FFFFFFF -0: a diverged worker's change that
     * passes as a number), and the driver's check finds it, and an infinity, in the vector body and
     * in the scalar tail of a row.
     */
    @Test
    void aNanChangeStaysANanAndTheDriversCheckFindsIt() {
        int[] payloads = {0x7F800001, 0x7FFFFFFF, 0xFFFFFFFF, 0x7FC00000, 0xFF800123};
        for (int at : new int[] {3, N - 1}) {   // in the vector loop; in the scalar tail
            for (int payload : payloads) {
                INDArray params = values(40);
                params.putScalar(at, Float.intBitsToFloat(payload));
                INDArray base = values(41);
                for (ChangeMath math : new ChangeMath[] {vector, nd4j}) {
                    INDArray wire = Nd4j.createUninitialized(DataType.BFLOAT16, 1, N);
                    math.encodeChange(params, base, wire);
                    assertEquals((short) 0x7FC0, shorts(wire)[at], Integer.toHexString(payload) + " at " + at);
                    assertFalse(ChangeMath.finite(wire), "the driver refuses it");
                }
            }
            INDArray infinite = Nd4j.rand(DataType.FLOAT, 1, N);
            assertTrue(ChangeMath.finite(infinite) && ChangeMath.finite(infinite.castTo(DataType.BFLOAT16)));
            infinite.putScalar(at, Float.NEGATIVE_INFINITY);
            assertFalse(ChangeMath.finite(infinite), "float32 parameters with an infinity at " + at);
            assertFalse(ChangeMath.finite(infinite.castTo(DataType.BFLOAT16)), "a bfloat16 change with one");
        }
    }

    @Test
    void viewsTakeTheNd4jPath() {
        INDArray params = values(6);
        INDArray base = values(7);
        INDArray wide = Nd4j.zeros(DataType.BFLOAT16, 2, N);
        INDArray view = wide.getRow(1, true);
        vector.encodeChange(params, base, view);
        INDArray expected = Nd4j.createUninitialized(DataType.BFLOAT16, 1, N);
        nd4j.encodeChange(params, base, expected);
        assertArrayEquals(shorts(expected), shorts(view));
    }

    /**
     * Random values of every magnitude and sign, with the cases a rounding gets wrong planted
     * among them: exact halfway ties (odd and even), values that round up into the next
     * exponent, subnormals, zeros of both signs, infinities and NaN.
     */
    private static INDArray values(long seed) {
        return values(seed, N);
    }

    private static INDArray values(long seed, int n) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (i % 16) {
                case 0 -> finite((random.nextInt() & 0xFFFF0000) | 0x8000);   // a tie
                case 1 -> finite(random.nextInt() | 0x7FFF);   // rounds up, maybe into the exponent or infinity
                case 2 -> Float.MIN_VALUE * random.nextInt(1 << 20);   // subnormal
                case 3 -> random.nextBoolean() ? 0f : -0f;
                // NaN with a payload, where no other seed has one (which of two NaNs an add
                // keeps is the hardware's choice, in ND4J's loop and the vector alike)
                case 4 -> i % 64 == 4 && (i / 64) % 17 == seed % 17
                        ? Float.intBitsToFloat(0x7F800000 | random.nextInt(1 << 23) | 1)
                        : i % 64 == 20 ? Float.POSITIVE_INFINITY
                        : i % 64 == 36 ? Float.NEGATIVE_INFINITY : random.nextFloat();
                default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(12) - 8));
            };
        }
        return Nd4j.createFromArray(v).reshape(1, n).dup('c');   // reshape gives a view, which takes ND4J's path
    }

    /** The float of {@code bits}, but never a NaN (the largest exponent lowered by one). */
    private static float finite(int bits) {
        return Float.intBitsToFloat(((bits >>> 23) & 0xFF) == 0xFF ? bits ^ (1 << 23) : bits);
    }

    private static short[] shorts(INDArray bf16) {
        ShortBuffer b = Wire.bytes(bf16.dup()).asShortBuffer();
        short[] s = new short[b.remaining()];
        b.get(s);
        return s;
    }

    private static int[] floatBits(INDArray a) {
        float[] f = a.dup().data().asFloat();
        int[] bits = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            bits[i] = Float.floatToRawIntBits(f[i]);
        }
        return bits;
    }
}
