package io.sparkalex.testing;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bit-identity, as the tests that claim it check it: the same data type and shape, and the same
 * bytes. ({@code assertEquals} on two INDArrays compares within ND4J's 1e-5, which a bfloat16
 * rounding or a reordered sum passes.)
 */
public final class Bits {
    private Bits() {
    }

    /** The array's values as bytes, in C order. */
    public static byte[] bytes(INDArray a) {
        INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        ByteBuffer b = c.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        long offset = c.offset() * c.dataType().width();
        byte[] out = new byte[Math.toIntExact(c.length() * c.dataType().width())];
        b.position(Math.toIntExact(offset));
        b.get(out);
        return out;
    }

    public static void assertBitIdentical(INDArray expected, INDArray actual, String message) {
        assertEquals(expected.dataType(), actual.dataType(), message + ": data type");
        assertArrayEquals(expected.shape(), actual.shape(), message + ": shape");
        byte[] a = bytes(expected);
        byte[] b = bytes(actual);
        int at = Arrays.mismatch(a, b);
        if (at >= 0) {
            int width = expected.dataType().width();
            long index = at / width;
            fail(message + ": not bit-identical; first difference at value " + index + " of " + expected.length()
                    + ": " + expected.getDouble(index) + " vs " + actual.getDouble(index));
        }
    }

    /** Two doubles with the same bits (NaN payloads and the sign of zero included). */
    public static void assertBitIdentical(double expected, double actual, String message) {
        if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(actual)) {
            fail(message + ": " + expected + " vs " + actual + " (" + Double.toHexString(expected) + " vs "
                    + Double.toHexString(actual) + ")");
        }
    }
}
