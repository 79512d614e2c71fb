package io.sparkalex.nd4j;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Round trips through Spark's KryoSerializer configured as the job configures it. */
class RawNdArraySerializerTest {
    final SerializerInstance kryo = new KryoSerializer(new SparkConf()
            .set("spark.kryo.registrator", FastNd4jRegistrator.class.getName())).newInstance();

    INDArray roundTrip(INDArray a) {
        ByteBuffer bytes = kryo.serialize(a, ClassTag$.MODULE$.apply(INDArray.class));
        return kryo.deserialize(bytes, ClassTag$.MODULE$.apply(INDArray.class));
    }

    @Test
    void arraysOfEveryKindComeBackEqual() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 3, 700_001);        // spans several 1 MiB blocks
        List<INDArray> arrays = List.of(
                big,
                Nd4j.rand(DataType.FLOAT, 8, 3, 11, 11),
                big.get(NDArrayIndex.all(), NDArrayIndex.interval(5, 17)), // a strided view
                Nd4j.rand(DataType.FLOAT, 2, 5, 3, 4).permute(0, 3, 1, 2), // reports neither view nor f order
                Nd4j.rand(DataType.DOUBLE, 'f', 4, 5),
                Nd4j.createFromArray(1L, -2L, Long.MAX_VALUE),
                Nd4j.createFromArray(true, false, true),
                Nd4j.scalar(3.5f),
                Nd4j.create(DataType.FLOAT, 0, 4));
        for (INDArray a : arrays) {
            INDArray back = roundTrip(a);
            assertEquals(a.dataType(), back.dataType());
            assertEquals(java.util.Arrays.toString(a.shape()), java.util.Arrays.toString(back.shape()));
            assertEquals(a, back, "round trip of " + a.shapeInfoToString());
        }
    }

    @Test
    void dataInsideObjectGraphsTravelsToo() {
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 1000);
        Object[] graph = {params, "x", params.reshape(10, 100)};
        Object[] back = kryo.deserialize(kryo.serialize(graph, ClassTag$.MODULE$.apply(Object[].class)),
                ClassTag$.MODULE$.apply(Object[].class));
        assertEquals(params, back[0]);
        assertEquals(params.reshape(10, 100), back[2]);
    }
}
