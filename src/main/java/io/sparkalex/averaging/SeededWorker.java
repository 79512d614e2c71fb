package io.sparkalex.averaging;

import io.sparkalex.eval.TrainingPassScorer;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;

import java.util.Collection;

/**
 * DL4J's own parameter-averaging worker (a new network from the broadcast every round), with its
 * task thread's ND4J generator seeded for the round and partition once the network is built, so
 * that its dropout masks are the same in every run ({@code optimizer_state = averaged}), and its
 * training pass scored ({@link TrainingPassScorer}).
 */
final class SeededWorker extends ParameterAveragingTrainingWorker {
    private static final long serialVersionUID = 1L;
    private final long roundSeed;
    private final TrainingPassScorer scorer;

    SeededWorker(Broadcast<NetBroadcastTuple> broadcast, boolean saveUpdater, WorkerConfiguration configuration,
                 Collection<TrainingHook> hooks, long roundSeed, TrainingPassScorer scorer) {
        super(broadcast, saveUpdater, configuration, hooks, null, null);
        this.roundSeed = roundSeed;
        this.scorer = scorer;
    }

    @Override
    public MultiLayerNetwork getInitialModel() {
        MultiLayerNetwork net = super.getInitialModel();
        net.addListeners(scorer);
        RoundReportingMaster.seedTaskThread(roundSeed);
        return net;
    }
}
