package io.sparkalex.averaging;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.nd4j.linalg.dataset.api.DataSet;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * DL4J's parameter-averaging worker, except that its network outlives the round.
 *
 * <p>DL4J's worker builds a new network every round from a broadcast of the parameters and the
 * optimizer state, and returns both. This one takes the network this executor trained last
 * round ({@link ResidentNetworks}), copies the averaged parameters into it and keeps its own
 * optimizer state; only parameters travel, a third of what DL4J's worker moves with Adam. In the
 * last round of an epoch the worker writes its state ({@link OptimizerStateFiles}) for the driver
 * to average into the checkpoint, and drops its network; a new network (first round of an epoch,
 * new executor) starts from the published average.
 */
final class ResidentNetworkWorker extends ParameterAveragingTrainingWorker {
    private static final long serialVersionUID = 1L;

    private final Broadcast<NetBroadcastTuple> broadcast;
    private final Broadcast<SerializableHadoopConfig> hadoop;
    private final String run;
    private final int epoch;
    private final String stateDir;
    private final boolean lastRoundOfEpoch;
    private final long roundSeed;
    private final int round;
    private final CollectionAccumulator<WorkerTiming> timings;
    private final ExchangeLink exchange;
    /** The driver's parameters this round starts from, as the exchange numbers them. */
    private final long version;
    private final long numParams;
    /** This task's parameters as the round started (bit-identical to the driver's). */
    private transient INDArray base;
    /** This task's clock (a worker is deserialised afresh for every task). */
    private transient long broadcastNanos;
    private transient long uploadNanos;
    private transient long copyNanos;
    private transient long fitNanos;
    private transient int minibatches;
    private transient long minibatchStart;

    ResidentNetworkWorker(Broadcast<NetBroadcastTuple> broadcast, WorkerConfiguration configuration, String run,
                          int epoch, int round, String stateDir, boolean lastRoundOfEpoch, long roundSeed,
                          Broadcast<SerializableHadoopConfig> hadoop, CollectionAccumulator<WorkerTiming> timings,
                          ExchangeLink exchange, long version, long numParams) {
        super(broadcast, false, configuration, null, null, null);
        this.exchange = exchange;
        this.version = version;
        this.numParams = numParams;
        this.broadcast = broadcast;
        this.hadoop = hadoop;
        this.run = run;
        this.epoch = epoch;
        this.stateDir = stateDir;
        this.lastRoundOfEpoch = lastRoundOfEpoch;
        this.roundSeed = roundSeed;
        this.round = round;
        this.timings = timings;
    }

    /**
     * The network for this round, and this task thread's ND4J generator (dropout masks) seeded for
     * this round and partition, after the network is built, since building one may reseed it.
     */
    @Override
    public MultiLayerNetwork getInitialModel() {
        MultiLayerNetwork net = network();
        RoundReportingMaster.seedTaskThread(roundSeed);
        return net;
    }

    private MultiLayerNetwork network() {
        long t0 = System.nanoTime();
        MultiLayerConfiguration configuration = broadcast.getValue().getConfiguration();
        ResidentNetworks.Replica kept = ResidentNetworks.take(run, TaskContext.getPartitionId(), epoch);
        base = kept != null ? kept.base()
                : Nd4j.createUninitialized(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, numParams);
        INDArray update = null;
        try {
            if (kept != null && exchange.transfer == Transfer.BF16 && kept.version() == version - 1) {
                update = Scratch.wire(exchange.transfer, numParams);
                exchange.fetchUpdate(version, update);
            } else {
                exchange.fetchParameters(version, base);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("fetching round " + version + "'s parameters", e);
        }
        long t1 = System.nanoTime();
        broadcastNanos = t1 - t0;
        if (update != null) {
            base.addi(Scratch.floats(numParams).assign(update));   // as the driver did to its own
        }
        MultiLayerNetwork net;
        if (kept != null) {
            net = kept.network();
            net.params().assign(base);
            followSchedule(net, configuration);
        } else {
            net = new MultiLayerNetwork(configuration.clone());
            net.init(base.dup(), false);
            try {
                stateFiles().published(run).ifPresent(s -> net.getUpdater().setStateViewArray(null, s, false));
            } catch (IOException e) {
                throw new UncheckedIOException("reading the optimizer state from " + stateDir, e);
            }
        }
        Nd4j.getExecutioner().commit();
        copyNanos = System.nanoTime() - t1;
        return net;
    }

    @Override
    public ParameterAveragingTrainingResult processMinibatch(DataSet dataSet, MultiLayerNetwork network,
                                                             boolean isLast) {
        minibatchStart = System.nanoTime();
        minibatches++;
        ParameterAveragingTrainingResult result = super.processMinibatch(dataSet, network, isLast);
        fitDone();
        return result;
    }

    @Override
    public ParameterAveragingTrainingResult getFinalResult(MultiLayerNetwork network) {
        fitDone();   // DL4J calls this from within the last processMinibatch, after its fit
        send(network);
        // The parameters went to the exchange: the task result carries the score alone.
        ParameterAveragingTrainingResult result = new ParameterAveragingTrainingResult(null, null, network.score(),
                null, null, null, null);
        if (!lastRoundOfEpoch) {
            ResidentNetworks.give(run, TaskContext.getPartitionId(), epoch,
                    new ResidentNetworks.Replica(network, base, version));
            report(0);
            return result;
        }
        long t0 = System.nanoTime();
        // End of the epoch: hand the state to the driver and let the network go, so that the
        // evaluation that follows has this executor's memory; next epoch starts from the average.
        INDArray state = network.getUpdater().getStateViewArray();
        if (state != null) {
            try {
                stateFiles().writeWorker(run, epoch, TaskContext.getPartitionId(), state);
            } catch (IOException e) {
                throw new UncheckedIOException("writing the optimizer state to " + stateDir, e);
            }
        }
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        report(System.nanoTime() - t0);
        return result;
    }

    /** This worker's result to the driver: its parameters (float32) or what it changed in them (bf16). */
    private void send(MultiLayerNetwork network) {
        long t0 = System.nanoTime();
        INDArray result;
        if (exchange.transfer == Transfer.BF16) {
            INDArray change = network.params().sub(base, Scratch.floats(numParams));
            result = Scratch.wire(exchange.transfer, numParams).assign(change);
        } else {
            result = Wire.owning(network.params());
        }
        try {
            exchange.send(version, TaskContext.getPartitionId(), result);
        } catch (IOException e) {
            throw new UncheckedIOException("sending round " + version + "'s result", e);
        }
        uploadNanos = System.nanoTime() - t0;
    }

    /** Ends the timing of the minibatch being fitted, if one is. */
    private void fitDone() {
        if (minibatchStart != 0) {
            fitNanos += System.nanoTime() - minibatchStart;
            minibatchStart = 0;
        }
    }

    private void report(long stateFileNanos) {
        if (timings != null) {
            timings.add(new WorkerTiming(epoch, round, TaskContext.getPartitionId(), broadcastNanos, copyNanos,
                    fitNanos, minibatches, stateFileNanos, uploadNanos));
        }
    }

    /**
     * What the driver changes between rounds besides the parameters: the iteration and epoch
     * counters (Adam's bias correction, schedules) and the learning rate (set per epoch).
     */
    static void followSchedule(MultiLayerNetwork net, MultiLayerConfiguration driver) {
        MultiLayerConfiguration mine = net.getLayerWiseConfigurations();
        mine.setIterationCount(driver.getIterationCount());
        mine.setEpochCount(driver.getEpochCount());
        for (int i = 0; i < driver.getConfs().size(); i++) {
            if (driver.getConf(i).getLayer() instanceof BaseLayer layer) {
                IUpdater updater = layer.getIUpdater();
                if (updater != null && updater.hasLearningRate()) {
                    double lr = updater.getLearningRate(driver.getIterationCount(), driver.getEpochCount());
                    Double current = net.getLearningRate(i);
                    if (current == null || current != lr) {
                        net.setLearningRate(i, lr);
                    }
                }
            }
        }
    }

    private OptimizerStateFiles stateFiles() {
        try {
            return new OptimizerStateFiles(stateDir, hadoop.getValue().getConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
