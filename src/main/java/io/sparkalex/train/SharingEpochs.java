package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.eval.TrainingPassAccumulator;
import io.sparkalex.eval.TrainingPassScorer;
import io.sparkalex.sharing.GradientSharing;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/**
 * Gradient sharing ({@code training_mode = sharing}, {@link GradientSharing}): every worker
 * applies every worker's thresholded update, so each steps at {@code lr / workers} to move as far
 * as averaging's mean does. DL4J reuses the first epoch's worker networks and their listeners, so
 * the training pass is summed by one accumulator registered for the run (see docs/dl4j-hooks.md).
 */
final class SharingEpochs extends SparkEpochs {
    private final TrainingPassAccumulator pass = new TrainingPassAccumulator();

    SharingEpochs(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network,
                  CacheBatchLoader loader) {
        super(sc, network, GradientSharing.master(sc.getConf(), workers, config.batchSize, config.prefetch,
                config.sharingThreshold, config.sharingPort, config.sharingNetworkMask, config.seed), workers, loader);
        sc.sc().register(pass, "sparkalex-training-pass");
        sparkNet.setListeners(List.of(TrainingPassScorer.reportingTo(pass, 0)));
    }

    @Override
    public Epoch train(int epoch, double lr, List<String> minibatches) {
        stepAt(lr / workers);
        pass.reset();
        fit(epoch, minibatches);
        return new Epoch(List.of(), pass.total(), null);
    }
}
