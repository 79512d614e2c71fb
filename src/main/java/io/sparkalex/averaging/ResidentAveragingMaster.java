package io.sparkalex.averaging;

import io.sparkalex.config.PortRange;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * DL4J parameter averaging with one Spark task per worker per epoch: each worker keeps its network
 * and optimizer state for the whole epoch ({@link EpochWorker}), and the rounds, and the parameters,
 * go through the driver's {@link ParameterExchange} instead of a Spark job, broadcast and task
 * results each: a worker fetches the round's parameters (or, in bf16 transfer, the last round's
 * average change), trains, and sends its result there; the epoch's one Spark job carries the plan
 * and brings back each worker's round timings. The optimizer state is averaged once per epoch,
 * through files ({@link OptimizerStateFiles}): checkpoints hold it, every worker starts the next
 * epoch from it, and a resumed run continues from exactly that state.
 *
 * <p>The epoch's minibatches are cut into rounds and each round's into partitions exactly as
 * {@link RoundReportingMaster} does for DL4J's own workers. Each worker's moments follow its own
 * gradients within an epoch (as in local-SGD methods). With one worker and float32 transfer this is
 * exactly plain sequential training (tested).
 *
 * <p>All of an epoch's worker tasks must run at once (a round waits for every worker's result), so
 * {@code workers} must not exceed the cluster's task slots (the job checks, {@code train.WorkerSlots});
 * a round that still waits 10 minutes for a
 * missing worker fails the waiting tasks with a message that says so.
 */
public final class ResidentAveragingMaster extends RoundReportingMaster {
    private static final long serialVersionUID = 2L;
    private static final Logger log = LoggerFactory.getLogger(ResidentAveragingMaster.class);

    private final String run;
    private final String stateDir;
    private final Transfer transfer;
    private final int exchangePort;
    private final boolean relay;
    private final PortRange relayPorts;
    private transient ParameterExchange exchange;
    private transient TaskAttempts attempts;
    private transient JavaSparkContext listening;
    private transient boolean published;
    private transient List<RoundBreakdown> timed;

    /**
     * @param settings DL4J's builder with the workers, batch size, averaging frequency and prefetch
     * @param stateDir a directory on a file system every executor and the driver can reach (the
     *                 job's working directory); created on demand, left to the caller to delete
     * @param run      names this training run's optimizer-state files: a new run never picks up
     *                 a state an earlier run (same directory) left behind
     * @param transfer what a round moves between driver and workers
     * @param exchangePort the driver's port for the {@link ParameterExchange}; 0: any free one
     * @param relay    whether workers pass each round's change on to each other ({@link UpdateRelay})
     *                 instead of each fetching it from the driver (bf16 transfer)
     */
    public ResidentAveragingMaster(Builder settings, String stateDir, String run, Transfer transfer,
                                   int exchangePort, boolean relay) {
        this(settings, stateDir, run, transfer, exchangePort, relay, PortRange.ANY);
    }

    /** The same, each worker's relay on the first free port of {@code relayPorts}. */
    public ResidentAveragingMaster(Builder settings, String stateDir, String run, Transfer transfer,
                                   int exchangePort, boolean relay, PortRange relayPorts) {
        super(settings);
        this.stateDir = stateDir;
        this.run = run;
        this.transfer = transfer;
        this.exchangePort = exchangePort;
        this.relay = relay;
        this.relayPorts = relayPorts;
    }

    @Override
    public void executeTrainingPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> paths,
                                     DataSetLoader dsLoader, MultiDataSetLoader mdsLoader) {
        if (network == null) {
            throw new UnsupportedOperationException("ResidentAveragingMaster trains MultiLayerNetworks only");
        }
        JavaSparkContext sc = network.getSparkContext();
        if (numWorkers == null) {
            numWorkers = sc.defaultParallelism();
        }
        MultiLayerNetwork net = network.getNetwork();
        if (!published) {
            publishOptimizerState(network);
            published = true;
        }
        List<String> all = paths.collect();   // minibatch names: small, and built on the driver anyway
        int[] sizes = roundSizes(all.size(), numWorkers * averagingFrequency);
        List<EpochWorker.Plan> plans = WorkerPlans.of(all, sizes, numWorkers);
        int[] participants = new int[sizes.length];
        long[] seeds = new long[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            participants[k] = Math.min(numWorkers, sizes[k]);
            seeds[k] = roundSeed(k + 1);
        }
        ParameterExchange ex = exchange(sc);
        long startVersion = ex.openEpoch(net.params(), participants, this::reportRound);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        EpochWorker worker = new EpochWorker(conf.clone(), ex.link().relayingOn(relayPorts), startVersion, averagingFrequency,
                prefetchNumBatches, dsLoader, BroadcastHadoopConfigHolder.get(sc), run, epoch, stateDir, seeds,
                net.numParams(), relay);
        List<WorkerTiming> timings;
        ParameterExchange.EpochRounds rounds;
        try {
            // The epoch's job is marked so the exchange knows its task attempts (TaskAttempts).
            sc.setLocalProperty(TaskAttempts.JOB_PROPERTY, run);
            try {
                timings = sc.parallelize(plans, plans.size()).mapPartitions(worker).collect();
            } finally {
                sc.setLocalProperty(TaskAttempts.JOB_PROPERTY, null);
            }
            rounds = ex.finishEpoch(60_000);
        } catch (RuntimeException e) {
            ex.abandonEpoch();
            throw e;
        } catch (InterruptedException e) {
            ex.abandonEpoch();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the epoch's last round", e);
        }
        Nd4j.getExecutioner().commit();
        if (timed == null) {
            timed = new ArrayList<>();
        }
        for (ParameterExchange.RoundRecord r : rounds.rounds()) {
            timed.add(CriticalPath.of(epoch, r, timings));
        }
        pass = new TrainingPass(rounds.fit(), rounds.halted());
        if (rounds.halted() != null) {
            return;   // diverged: nothing of this epoch is kept, the run stops
        }
        int lastRound = sizes.length;
        network.setScore(timings.stream().filter(t -> t.round() == lastRound).mapToDouble(WorkerTiming::score)
                .average().orElse(0));
        conf.setIterationCount(conf.getIterationCount() + averagingFrequency * sizes.length);
        collectOptimizerState(network);
    }

    @Override
    public List<RoundBreakdown> roundTimings() {
        List<RoundBreakdown> out = timed == null ? List.of() : List.copyOf(timed);
        if (timed != null) {
            timed.clear();
        }
        return out;
    }

    /** The run's exchange, started with its first epoch on the driver's host as executors know it. */
    private ParameterExchange exchange(JavaSparkContext sc) {
        if (exchange == null) {
            org.apache.spark.SparkConf conf = sc.getConf();
            String host = conf.get("spark.driver.host", "localhost");
            attempts = new TaskAttempts(run);
            sc.sc().addSparkListener(attempts);
            listening = sc;
            try {
                exchange = ParameterExchange.start(transfer, conf.get("spark.driver.bindAddress", host), host,
                        exchangePort, ExchangeProtection.ofSpark(conf, attempts));
            } catch (IOException e) {
                throw new UncheckedIOException("starting the parameter exchange on port " + exchangePort
                        + " (config key exchange_port)", e);
            }
        }
        return exchange;
    }

    /** Stops the run's parameter exchange (a later epoch starts a new one). */
    public void close() {
        if (exchange != null) {
            exchange.close();
            exchange = null;
        }
        if (listening != null) {
            listening.sc().removeSparkListener(attempts);
            listening = null;
        }
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
