package io.sparkalex.averaging;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * What an averaging round moves between the driver and a worker (see {@link ParameterExchange}).
 *
 * <p>{@link #BF16}: each worker sends what its round changed (its parameters minus the ones it
 * started from) as bfloat16, and gets back the average change, rounded to bfloat16 once by the
 * driver. Driver and workers add that same rounded change to the same float32 parameters, so they
 * stay bit-identical; what is rounded away is a change's last bits (bfloat16 keeps float32's
 * exponent, so no change under- or overflows), never the parameters themselves. Half the bytes of
 * float32, and the conversion is a cast ND4J does at memory speed.
 *
 * <p>{@link #FLOAT32}: workers send their parameters and get the average back, as DL4J does; with
 * one worker this is exactly sequential training.
 */
public enum Transfer {
    BF16(DataType.BFLOAT16),
    FLOAT32(DataType.FLOAT);

    final DataType wireType;

    Transfer(DataType wireType) {
        this.wireType = wireType;
    }

    /** Bytes on the wire for {@code parameters} values. */
    long bytes(long parameters) {
        return parameters * wireType.width();
    }
}
