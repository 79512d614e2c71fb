package io.sparkalex.nd4j;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The bulk writer gives ND4J's own bytes, which ND4J reads back: rows, matrices, views, special values, other types. */
class ArrayStreamsTest {
    @Test
    void writesTheBytesNd4jWrites() throws IOException {
        Nd4j.getRandom().setSeed(3);
        INDArray row = Nd4j.rand(DataType.FLOAT, 1, 3_000_001);   // more than one 4 MB chunk, a ragged last one
        row.putScalar(5, Float.NaN);
        row.putScalar(6, Float.NEGATIVE_INFINITY);
        row.putScalar(7, -0f);
        INDArray matrix = Nd4j.rand(DataType.FLOAT, 30, 7);
        for (INDArray a : new INDArray[] {row, matrix, matrix.getColumn(3), matrix.transpose(),
            Nd4j.rand(DataType.DOUBLE, 4, 5), Nd4j.rand(DataType.FLOAT, 1, 1)}) {
            byte[] ours = bytes(a, true);
            assertArrayEquals(bytes(a, false), ours, a.shapeInfoToString());
            INDArray back = Nd4j.read(new DataInputStream(new ByteArrayInputStream(ours)));
            assertArrayEquals(bytes(a, false), bytes(back, false), "read back: " + a.shapeInfoToString());
        }
    }

    private static byte[] bytes(INDArray a, boolean bulk) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        if (bulk) {
            ArrayStreams.write(a, out);
        } else {
            Nd4j.write(a, out);
        }
        out.flush();
        return b.toByteArray();
    }
}
