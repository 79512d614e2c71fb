package io.sparkalex.nd4j;

import com.esotericsoftware.kryo.Kryo;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code spark.kryo.registrator} of the job: ND4J's registrations, with INDArrays serialised by
 * {@link RawNdArraySerializer} instead of ND4J's element-by-element serializer.
 */
public class FastNd4jRegistrator extends Nd4jRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        super.registerClasses(kryo);
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new RawNdArraySerializer());
    }
}
