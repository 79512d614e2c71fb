package io.sparkalex.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * A network shipped to the executors for inference: its configuration as JSON in the task closure
 * and its parameters as one broadcast, so each executor holds one off-heap copy however many
 * tasks score on it. Destroy it when the jobs that use it are done.
 */
public record ModelBroadcast(String configurationJson, Broadcast<INDArray> params)
        implements Serializable, AutoCloseable {

    public static ModelBroadcast of(JavaSparkContext sc, MultiLayerNetwork network) {
        // A copy: destroying a broadcast closes AutoCloseable values, and an INDArray is one
        // (Spark's MemoryStore frees them on removal), which would free the network's own params.
        return new ModelBroadcast(network.getLayerWiseConfigurations().toJson(), sc.broadcast(network.params().dup()));
    }

    /** On an executor: the network over the broadcast parameters, for inference only. */
    public MultiLayerNetwork network() {
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        // The broadcast array itself, not a copy: inference only reads it, and this executor's
        // tasks (and in local mode the driver) share one off-heap copy of the parameters.
        net.init(params.value(), false);
        return net;
    }

    @Override
    public void close() {
        params.destroy();
    }
}
