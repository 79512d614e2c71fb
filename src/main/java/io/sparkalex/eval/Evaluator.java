package io.sparkalex.eval;

import io.sparkalex.data.CacheBatchLoader;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Driver side of evaluation: ships the current parameters once per call and sums what the
 * executors' {@link EvaluateBatches} return for each list of cached minibatches; {@code loader}
 * reads them (evaluation minibatches: centre crops, no augmentation).
 */
public record Evaluator(JavaSparkContext sc, int partitions, CacheBatchLoader loader, int imageSize) {

    /** Minibatches to score together, with 1 crop (the centre) or the paper's 10 (outputs averaged). */
    public record Batches(List<String> names, int crops) {
    }

    /** Evaluates the network on each set of minibatches, with one parameter broadcast for all. */
    public List<EvalResult> evaluate(MultiLayerNetwork network, List<Batches> batchSets) {
        // A copy: destroying a broadcast closes AutoCloseable values, and an INDArray is one
        // (Spark's MemoryStore frees them on removal), which would free the network's own params.
        Broadcast<INDArray> params = sc.broadcast(network.params().dup());
        try {
            String conf = network.getLayerWiseConfigurations().toJson();
            return batchSets.stream().map(set -> set.names().isEmpty() ? EvalResult.EMPTY
                    : sc.parallelize(set.names(), Math.min(partitions, set.names().size()))
                        .mapPartitions(new EvaluateBatches(conf, params, loader, imageSize, set.crops()))
                        .reduce(EvalResult::plus)).toList();
        } finally {
            params.destroy();
        }
    }
}
