package io.sparkalex.train;

import io.sparkalex.data.CacheBatchLoader;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;

import java.util.List;

/**
 * What every strategy shares: DL4J's Spark wrapper around the driver's network with the
 * strategy's training master, the learning rate set only when it changes, and the epoch's
 * minibatches handed to DL4J's {@code fitPaths} as one Spark job group.
 */
abstract class SparkEpochs implements EpochTraining {
    protected final JavaSparkContext sc;
    protected final MultiLayerNetwork network;
    protected final SparkDl4jMultiLayer sparkNet;
    protected final int workers;
    protected final CacheBatchLoader loader;
    private double rate = Double.NaN;

    SparkEpochs(JavaSparkContext sc, MultiLayerNetwork network, TrainingMaster<?, ?> master, int workers,
                CacheBatchLoader loader) {
        this.sc = sc;
        this.network = network;
        this.sparkNet = new SparkDl4jMultiLayer(sc, network, master);
        this.workers = workers;
        this.loader = loader;
    }

    /** Sets the network's learning rate to {@code step} if it is not that already. */
    protected void stepAt(double step) {
        if (step != rate) {
            network.setLearningRate(step);
            rate = step;
        }
    }

    /** Fits the minibatches, in at most {@code workers} partitions, as the epoch's training job. */
    protected void fit(int epoch, List<String> minibatches) {
        fit(epoch, minibatches, loader);
    }

    /** The same, each minibatch read by {@code reader} (the strategy's own wrapper around the loader). */
    protected void fit(int epoch, List<String> minibatches, DataSetLoader reader) {
        sc.setJobGroup("sparkalex-epoch-" + epoch, "epoch " + epoch + " training", false);
        try {
            sparkNet.fitPaths(sc.parallelize(minibatches, Math.max(1, Math.min(workers, minibatches.size()))), reader);
        } finally {
            sc.clearJobGroup();
        }
    }

    @Override
    public void close() {
    }
}
