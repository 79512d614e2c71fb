package io.sparkalex.eval;

import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.data.EvalTransform;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Iterator;
import java.util.List;

/**
 * Executor side of evaluation: rebuilds the network from its configuration and the broadcast
 * parameters, runs it in inference mode (no dropout) over a partition's minibatches, and returns
 * loss, top-1 and top-5 sums in one pass. One pass for all three is why this exists instead of
 * DL4J's separate {@code evaluate} and {@code calculateScore} jobs. With ten crops the softmax
 * outputs of the paper's ten crops of each image are averaged before scoring. A record: Spark
 * ships it to the executors with Java serialization (Kryo, which cannot handle records, is only
 * for data).
 */
record EvaluateBatches(String configurationJson, Broadcast<INDArray> params, CacheBatchLoader loader, int imageSize,
                       int crops) implements FlatMapFunction<Iterator<String>, EvalResult> {

    @Override
    public Iterator<EvalResult> call(Iterator<String> batches) {
        if (!batches.hasNext()) {
            return List.of(EvalResult.EMPTY).iterator();
        }
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        // The broadcast array itself, not a copy: inference only reads it, and this executor's
        // tasks (and in local mode the driver) share one off-heap copy of the parameters.
        net.init(params.value(), false);
        EvalResult total = EvalResult.EMPTY;
        while (batches.hasNext()) {
            String batch = batches.next();
            if (crops == 1) {
                var ds = loader.load(batch);
                total = total.plus(EvalResult.score(net.output(ds.getFeatures(), false).toFloatMatrix(),
                        ds.getLabels().toFloatMatrix()));
            } else {
                CacheBatchLoader.Images images = loader.read(batch);
                total = total.plus(EvalResult.score(meanOfCrops(net, images), loader.oneHot(images.labels())
                        .toFloatMatrix()));
            }
        }
        return List.of(total).iterator();
    }

    /** The softmax outputs of the ten crops of every image, averaged. */
    private float[][] meanOfCrops(MultiLayerNetwork net, CacheBatchLoader.Images images) {
        int n = images.labels().length;
        int per = 3 * imageSize * imageSize;
        EvalTransform transform = new EvalTransform(imageSize);
        INDArray sum = null;
        for (int k = 0; k < crops; k++) {
            float[] x = new float[n * per];
            for (int i = 0; i < n; i++) {
                transform.crop(images.pixels()[i], k, x, i * per);
            }
            INDArray out = net.output(Nd4j.create(x, new long[] {n, 3, imageSize, imageSize}, 'c'), false);
            sum = sum == null ? out.dup() : sum.addi(out);
        }
        return sum.divi(crops).toFloatMatrix();
    }
}
