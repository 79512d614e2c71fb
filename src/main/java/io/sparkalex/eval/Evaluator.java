package io.sparkalex.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Driver side of evaluation: ships the current parameters once per call and sums what the
 * executors' {@link EvaluateBatches} return for each named set of minibatch files.
 */
public final class Evaluator {
    private final JavaSparkContext sc;
    private final int partitions;

    public Evaluator(JavaSparkContext sc, int partitions) {
        this.sc = sc;
        this.partitions = partitions;
    }

    /** Evaluates the network on each list of batch files, with one parameter broadcast for all. */
    public List<EvalResult> evaluate(MultiLayerNetwork network, List<List<String>> batchSets) {
        // A copy: destroying a broadcast closes AutoCloseable values, and an INDArray is one
        // (Spark's MemoryStore frees them on removal), which would free the network's own params.
        Broadcast<INDArray> params = sc.broadcast(network.params().dup());
        try {
            String conf = network.getLayerWiseConfigurations().toJson();
            SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
            return batchSets.stream().map(paths -> paths.isEmpty() ? EvalResult.EMPTY
                    : sc.parallelize(paths, Math.min(partitions, paths.size()))
                        .mapPartitions(new EvaluateBatches(conf, params, hadoop))
                        .reduce(EvalResult::plus)).toList();
        } finally {
            params.destroy();
        }
    }
}
