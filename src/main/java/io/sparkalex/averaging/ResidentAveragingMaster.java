package io.sparkalex.averaging;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * DL4J parameter averaging in which each worker keeps its network and optimizer state between
 * the rounds of an epoch ({@link ResidentNetworkWorker}), and the parameters travel through the
 * driver's {@link ParameterExchange} instead of Spark's broadcast and task results: a worker
 * fetches the round's parameters (or, in bf16 transfer, the last round's average change), trains,
 * and sends its result there; the round's Spark job carries the configuration and the scores. The
 * optimizer state is averaged once per epoch instead, through files ({@link OptimizerStateFiles}):
 * checkpoints hold it, every worker starts the next epoch from it, and a resumed run continues
 * from exactly that state.
 *
 * <p>Each worker's moments follow its own gradients within an epoch (as in local-SGD methods).
 * With one worker and float32 transfer this is exactly plain sequential training (tested).
 */
public final class ResidentAveragingMaster extends RoundReportingMaster {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ResidentAveragingMaster.class);

    private final String run;
    private final String stateDir;
    private final Transfer transfer;
    private final int exchangePort;
    private transient ParameterExchange exchange;
    private transient int roundPartitions;
    private transient boolean lastRoundOfEpoch;
    private transient boolean published;
    private transient Broadcast<NetBroadcastTuple> roundBroadcast;

    /**
     * @param settings DL4J's builder with the workers, batch size, averaging frequency and prefetch
     * @param stateDir a directory on a file system every executor and the driver can reach (the
     *                 job's working directory); created on demand, left to the caller to delete
     * @param run      names this training run's networks in the executors' pools: a new run never
     *                 picks up a network an earlier run (same JVM, e.g. tests) left behind
     * @param transfer what a round moves between driver and workers
     * @param exchangePort the driver's port for the {@link ParameterExchange}; 0: any free one
     */
    public ResidentAveragingMaster(Builder settings, String stateDir, String run, Transfer transfer,
                                   int exchangePort) {
        super(settings);
        this.stateDir = stateDir;
        this.run = run;
        this.transfer = transfer;
        this.exchangePort = exchangePort;
    }

    @Override
    protected void doIterationPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> split,
                                    int splitNum, int numSplits, int dataSetObjectNumExamples,
                                    DataSetLoader dsLoader, MultiDataSetLoader mdsLoader) {
        if (network == null) {
            throw new UnsupportedOperationException("ResidentAveragingMaster trains MultiLayerNetworks only");
        }
        lastRoundOfEpoch = splitNum == numSplits; // DL4J numbers splits from 1
        roundPartitions = split.getNumPartitions();
        super.doIterationPaths(network, null, split, splitNum, numSplits, dataSetObjectNumExamples, dsLoader,
                mdsLoader);
        if (lastRoundOfEpoch) {
            collectOptimizerState(network);
        }
    }

    /** The round's broadcast is freed as part of the round (DL4J would leave it to Spark's context cleaner). */
    @Override
    protected void afterRound() {
        if (roundBroadcast != null) {
            roundBroadcast.destroy();
            roundBroadcast = null;
        }
    }

    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkDl4jMultiLayer network) {
        MultiLayerNetwork net = network.getNetwork();
        if (!published) {
            publishOptimizerState(network);
            published = true;
        }
        ParameterExchange exchange = exchange(network.getSparkContext());
        long version = exchange.openRound(net.params(), roundPartitions);
        // The broadcast carries the configuration alone (iteration count, learning rates); the
        // parameters go through the exchange.
        roundBroadcast = broadcast(network.getSparkContext(),
                new NetBroadcastTuple(net.getLayerWiseConfigurations(), null, null));
        WorkerConfiguration configuration = new WorkerConfiguration(false, rddDataSetNumExamples,
                batchSizePerWorker, averagingFrequency, prefetchNumBatches, false);
        return new ResidentNetworkWorker(roundBroadcast, configuration, run, epoch, round, stateDir, lastRoundOfEpoch,
                roundSeed(), BroadcastHadoopConfigHolder.get(network.getSparkContext()),
                clock(network.getSparkContext()).timings(), exchange.link(), version, net.numParams());
    }

    /**
     * Runs the round's job and applies the workers' results from the exchange, where they went
     * instead of into the task results (which carry each worker's score). What DL4J's own method
     * does after averaging (score, iteration count) is done the same way.
     */
    @Override
    protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                  JavaRDD<ParameterAveragingTrainingResult> results, int splitNum, int totalSplits) {
        List<ParameterAveragingTrainingResult> scores;
        try {
            scores = results.collect();
        } catch (RuntimeException e) {
            exchange.abandonRound();
            throw e;
        }
        ParameterExchange.Traffic traffic = exchange.applyRound();
        clock.exchanged(traffic.sentBytes(), traffic.receivedBytes());
        network.setScore(scores.stream().mapToDouble(ParameterAveragingTrainingResult::getScore).average().orElse(0));
        Nd4j.getExecutioner().commit();
        MultiLayerConfiguration conf = network.getNetwork().getLayerWiseConfigurations();
        conf.setIterationCount(conf.getIterationCount() + averagingFrequency);
    }

    /** The run's exchange, started with its first round on the driver's host as executors know it. */
    private ParameterExchange exchange(JavaSparkContext sc) {
        if (exchange == null) {
            org.apache.spark.SparkConf conf = sc.getConf();
            String host = conf.get("spark.driver.host", "localhost");
            try {
                exchange = ParameterExchange.start(transfer, conf.get("spark.driver.bindAddress", "0.0.0.0"), host,
                        exchangePort);
            } catch (IOException e) {
                throw new UncheckedIOException("starting the parameter exchange on port " + exchangePort
                        + " (config key exchange_port)", e);
            }
        }
        return exchange;
    }

    /**
     * Frees the worker networks this JVM still holds for the run (all of them in local mode;
     * executors exit anyway) and returns how many there were: none after a completed epoch.
     */
    public int releaseWorkers() {
        if (exchange != null) {
            exchange.close();
            exchange = null;
        }
        return ResidentNetworks.release(run);
    }

    /** New worker networks start from the driver's state: a resumed checkpoint's, or none at all. */
    private void publishOptimizerState(SparkDl4jMultiLayer network) {
        INDArray state = network.getNetwork().getUpdater().getStateViewArray();
        if (state == null || state.amaxNumber().doubleValue() == 0) {
            return;
        }
        try {
            files(network.getSparkContext()).publish(run, state);
        } catch (IOException e) {
            throw new UncheckedIOException("publishing the optimizer state to " + stateDir, e);
        }
    }

    private void collectOptimizerState(SparkDl4jMultiLayer network) {
        MultiLayerNetwork net = network.getNetwork();
        if (net.getUpdater().getStateViewArray() == null) {
            return; // plain SGD: no state
        }
        try {
            OptimizerStateFiles files = files(network.getSparkContext());
            var average = files.averageWorkers(run, epoch);
            if (average.isPresent()) {
                net.getUpdater().setStateViewArray(null, average.get(), false);
                files.publish(run, average.get());
            } else {
                log.warn("no worker wrote its optimizer state this epoch; the checkpoint keeps the previous one");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("averaging the workers' optimizer state in " + stateDir, e);
        }
    }

    private OptimizerStateFiles files(JavaSparkContext sc) throws IOException {
        return new OptimizerStateFiles(stateDir, sc.hadoopConfiguration());
    }
}
