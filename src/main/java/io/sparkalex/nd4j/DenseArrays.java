package io.sparkalex.nd4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * For code that reads an INDArray's buffer directly (raw serialisation, JVM kernels): the buffer
 * must hold exactly the array's elements in C order. {@code isView()} and {@code ordering()}
 * alone do not tell: a permuted array can report neither, so the strides are checked too.
 */
public final class DenseArrays {
    private DenseArrays() {
    }

    /** The array itself if its buffer is its elements in C order, else a C-order copy. */
    public static INDArray cOrder(INDArray a) {
        if (a.isEmpty()) {
            return a;
        }
        boolean dense = !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length()
                && Shape.hasDefaultStridesForShape(a);
        return dense ? a : a.dup('c');
    }
}
