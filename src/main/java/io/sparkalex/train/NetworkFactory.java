package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.model.AlexNet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The job's configuration turned into the network's: the one place that reads the model keys and
 * picks the optimiser, so {@code model} stays a plain AlexNet builder that knows nothing of the job.
 */
public final class NetworkFactory {
    private NetworkFactory() {
    }

    public static AlexNet.Spec spec(JobConfig c, int numClasses) {
        return new AlexNet.Spec(c.imageSize, c.widthFactor, numClasses, c.dropout, c.seed, updater(c), c.weightDecay,
                c.nativeKernels, AlexNet.Init.valueOf(c.weightInit.name()));
    }

    /** The optimiser named in the configuration, at its epoch-1 learning rate. */
    static IUpdater updater(JobConfig c) {
        return switch (c.optimizer) {
            case ADAM -> new Adam(c.learningRate);
            case SGD -> new Sgd(c.learningRate);
            case NESTEROVS -> new Nesterovs(c.learningRate, c.momentum);
        };
    }

    /** A new network with initialised weights. */
    static MultiLayerNetwork newNetwork(JobConfig c, int numClasses) {
        MultiLayerNetwork network = new MultiLayerNetwork(AlexNet.configuration(spec(c, numClasses)));
        network.init();
        return network;
    }
}
