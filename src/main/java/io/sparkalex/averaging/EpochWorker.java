package io.sparkalex.averaging;

import io.sparkalex.eval.ScoreSums;
import io.sparkalex.eval.TrainingPassScorer;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.datasets.iterator.AsyncDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.iterator.PathSparkDataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One worker's whole epoch in one Spark task: its network and optimizer state live as long as the
 * task, and the rounds are cut by the driver's {@link ParameterExchange}, not by Spark jobs. Each
 * round the worker gets the round's parameters (the epoch's first: float32; then the bfloat16
 * average change, added to its copy), fits its minibatches and sends its result;
 * the next round's request waits on the driver until every worker's result of this round is in.
 * Meanwhile the prefetch thread loads the next minibatches across round boundaries, so a round
 * never starts by waiting for its first minibatch.
 *
 * <p>With {@code relay} (bf16 transfer), the workers pass each round's change down a binary tree
 * ({@link UpdateRelay}) instead of each fetching it from the driver.
 *
 * <p>Each round's result carries the round's training-pass sums ({@link TrainingPassScorer}: images
 * fitted, loss, hits, from the fits' own forward passes). A worker whose training loss stops being
 * finite tells the exchange, which halts the epoch; every worker then ends its task normally (a
 * Spark retry would only diverge again) and the driver stops the run.
 *
 * <p>At the end the worker writes its optimizer state ({@link OptimizerStateFiles}) for the driver
 * to average into the checkpoint. A retried task (its executor was lost) asks the exchange where
 * its partition is and continues from there with a network built from the round's parameters and
 * the epoch's starting optimizer state.
 */
final class EpochWorker implements FlatMapFunction<Iterator<EpochWorker.Plan>, WorkerTiming> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EpochWorker.class);

    /**
     * One partition's minibatches, by round (a round where it has none: an empty list). A class,
     * not a record: Spark's Kryo cannot build records.
     */
    static final class Plan implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int partition;
        private final List<List<String>> rounds;

        Plan(int partition, List<List<String>> rounds) {
            this.partition = partition;
            this.rounds = rounds;
        }

        int partition() {
            return partition;
        }

        List<List<String>> rounds() {
            return rounds;
        }
    }

    private final MultiLayerConfiguration configuration;
    private final ExchangeTransport exchange;
    private final long startVersion;
    private final int averagingFrequency;
    private final int prefetch;
    private final DataSetLoader loader;
    private final Broadcast<SerializableHadoopConfig> hadoop;
    private final String run;
    private final int epoch;
    private final String stateDir;
    private final long[] roundSeeds;
    private final long numParams;
    /** Whether workers pass each round's change on to each other ({@link UpdateRelay}; bf16 only). */
    private final boolean relay;

    /**
     * @param configuration the driver's network configuration: learning rates, iteration and epoch
     *                      counts at the epoch's start
     * @param roundSeeds    per round, the seed each partition's dropout masks derive from
     */
    EpochWorker(MultiLayerConfiguration configuration, ExchangeTransport exchange, long startVersion,
                int averagingFrequency, int prefetch, DataSetLoader loader,
                Broadcast<SerializableHadoopConfig> hadoop, String run, int epoch, String stateDir, long[] roundSeeds,
                long numParams, boolean relay) {
        this.configuration = configuration;
        this.exchange = exchange;
        this.startVersion = startVersion;
        this.averagingFrequency = averagingFrequency;
        this.prefetch = prefetch;
        this.loader = loader;
        this.hadoop = hadoop;
        this.run = run;
        this.epoch = epoch;
        this.stateDir = stateDir;
        this.roundSeeds = roundSeeds;
        this.numParams = numParams;
        this.relay = relay && exchange.transfer() == Transfer.BF16;
    }

    @Override
    public Iterator<WorkerTiming> call(Iterator<Plan> plans) throws Exception {
        if (!plans.hasNext()) {
            return List.<WorkerTiming>of().iterator();
        }
        Plan plan = plans.next();
        int partition = plan.partition();
        GpuBinding.bind(partition);   // before this thread makes any ND4J array
        TaskThreads.match();
        int first = 0;
        if (TaskContext.get() != null && TaskContext.get().attemptNumber() > 0) {
            first = Math.toIntExact(exchange.next(partition) - startVersion);
        }
        List<String> paths = new ArrayList<>();
        for (int k = first; k < plan.rounds().size(); k++) {
            paths.addAll(plan.rounds().get(k));
        }
        DataSetIterator data = new PathSparkDataSetIterator(paths.iterator(), loader, hadoop);
        if (prefetch > 0) {
            data = new AsyncDataSetIterator(data, prefetch);
        }
        WorkerReplica replica = new WorkerReplica(partition, exchange, configuration, numParams, relay, stateDir, run,
                hadoop);
        List<WorkerTiming> timings = new ArrayList<>();
        if (relay) {
            replica.relay = exchange.startRelay(partition, v -> {
                long k = v - startVersion;
                return k >= 0 && k < plan.rounds().size() && !plan.rounds().get((int) k).isEmpty();
            });
        }
        try {
            for (int k = first; k < plan.rounds().size(); k++) {
                List<String> mine = plan.rounds().get(k);
                if (!mine.isEmpty()) {
                    timings.add(round(replica, k, mine.size(), data));
                }
            }
            if (replica.network != null) {
                long t0 = System.nanoTime();
                writeOptimizerState(replica.network, partition);
                timings.add(timings.remove(timings.size() - 1).withStateFile(System.nanoTime() - t0));
            }
        } catch (ExchangeTransport.Halted halted) {
            log.info("partition {}: the epoch halted ({}); ending this task", partition, halted.getMessage());
        } finally {
            if (replica.relay != null) {
                replica.relay.close();
            }
            Nd4j.getExecutioner().commit();
            if (data instanceof AsyncDataSetIterator async) {
                async.shutdown();
            }
            Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        }
        return timings.iterator();
    }

    private WorkerTiming round(WorkerReplica replica, int k, int minibatches, DataSetIterator data) throws IOException {
        int partition = replica.partition;
        long version = startVersion + k;
        ExchangeTransport.Fetched fetched = replica.install(version);
        long t1 = System.nanoTime();
        followSchedule(replica.network, configuration, configuration.getIterationCount() + (long) averagingFrequency * k);
        RoundReportingMaster.seedTaskThread(roundSeeds[k]);
        long fit = 0;
        for (int i = 0; i < minibatches; i++) {
            if (!data.hasNext()) {   // DL4J's prefetching iterator hands out its next element in hasNext
                throw new IllegalStateException("partition " + partition + " ran out of minibatches in round " + (k + 1));
            }
            org.nd4j.linalg.dataset.DataSet batch = (org.nd4j.linalg.dataset.DataSet) data.next();
            long f0 = System.nanoTime();
            replica.network.fit(batch);
            fit += System.nanoTime() - f0;
            String diverged = replica.scorer.nonFinite();
            if (diverged != null) {
                String why = diverged + " at its minibatch " + (i + 1) + " of " + minibatches;
                exchange.halt(version, partition, why);   // answers Halted
                throw new ExchangeTransport.Halted(why);
            }
        }
        double score = replica.network.score();
        ScoreSums sums = replica.scorer.take();
        long t2 = System.nanoTime();
        if (exchange.transfer() == Transfer.BF16) {
            exchange.sendChange(version, partition, replica.network.params(), replica.base(), replica.wire,
                    replica.math, sums);
        } else {
            exchange.sendParameters(version, partition, replica.network.params(), sums);
        }
        long t3 = System.nanoTime();
        // The time before the reply's first byte (the request, the wait for this version) is the
        // driver's to count: it knows when the round opened and when this worker asked.
        return new WorkerTiming(epoch, k + 1, partition, fetched.transferNanos(), fetched.computeNanos(), fit,
                minibatches, t2 - t1 - fit, t3 - t2, 0, score, fetched.relayed());
    }

    private void writeOptimizerState(MultiLayerNetwork network, int partition) {
        INDArray state = network.getUpdater().getStateViewArray();
        if (state == null) {
            return;
        }
        try {
            new OptimizerStateFiles(stateDir, hadoop.getValue().getConfiguration()).writeWorker(run, epoch, partition,
                    state);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the optimizer state to " + stateDir, e);
        }
    }

    /**
     * What the driver changes between rounds and epochs besides the parameters: the iteration and
     * epoch counters (Adam's bias correction, schedules) and the learning rate (set per epoch).
     */
    static void followSchedule(MultiLayerNetwork net, MultiLayerConfiguration driver, long iterationCount) {
        MultiLayerConfiguration mine = net.getLayerWiseConfigurations();
        mine.setIterationCount((int) iterationCount);
        mine.setEpochCount(driver.getEpochCount());
        for (int i = 0; i < driver.getConfs().size(); i++) {
            if (driver.getConf(i).getLayer() instanceof BaseLayer layer) {
                IUpdater updater = layer.getIUpdater();
                if (updater != null && updater.hasLearningRate()) {
                    double lr = updater.getLearningRate((int) iterationCount, driver.getEpochCount());
                    Double current = net.getLearningRate(i);
                    if (current == null || current != lr) {
                        net.setLearningRate(i, lr);
                    }
                }
            }
        }
    }
}
