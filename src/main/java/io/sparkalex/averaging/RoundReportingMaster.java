package io.sparkalex.averaging;

import io.sparkalex.eval.Divergence;
import io.sparkalex.eval.ScoreSums;
import io.sparkalex.eval.TrainingPassAccumulator;
import io.sparkalex.eval.TrainingPassScorer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;

import java.util.List;
import java.util.SplittableRandom;

/**
 * DL4J's parameter-averaging master with these changes to how it runs an epoch's rounds:
 *
 * <ul>
 *   <li>every minibatch is trained: the epoch's minibatches are cut, in the order given, into as
 *       few rounds as hold at most workers x averaging frequency each, of sizes that differ by at
 *       most one (so the last round is not left with fewer minibatches than workers). DL4J's own
 *       split ({@code balancedRandomSplit}) rounds the number of rounds down and silently skips
 *       the minibatches that do not fill a whole round, and reshuffles the order it was given;
 *   <li>a callback after each round, for the progress line: DL4J says nothing while it runs rounds,
 *       and this is the one place that knows both the round and how many there are;
 *   <li>a seed per epoch, round and partition for the workers' random numbers (dropout), so
 *       that runs repeat exactly ({@link SeededWorker}, {@link EpochWorker});
 *   <li>the training pass scored ({@link TrainingPassScorer} on every worker network, its sums
 *       brought back by a {@link TrainingPassAccumulator}), and each round checked for divergence:
 *       a non-finite training loss or averaged parameter halts the epoch after that round
 *       ({@link #trainingPass}).
 * </ul>
 */
public class RoundReportingMaster extends ParameterAveragingTrainingMaster {
    private static final long serialVersionUID = 1L;

    /** Told on the driver when a round's parameters have been averaged. */
    @FunctionalInterface
    public interface RoundListener {
        /** {@code round} counts from 1 to {@code rounds} within one {@code fitPaths} call. */
        void roundDone(int round, int rounds);
    }

    private transient RoundListener listener;
    private long epochSeed;
    /** The epoch being trained, from 1. */
    protected int epoch;
    /** The round being trained, from 1; set before DL4J asks for the round's workers. */
    protected transient int round;
    /** Times every round (driver only; made with the first epoch). */
    protected transient RoundClock clock;
    /** The last epoch's training pass (driver only). */
    protected transient TrainingPass pass;
    /** DL4J's workers' training-pass sums (driver only; registered with the first epoch). */
    private transient TrainingPassAccumulator fits;

    /**
     * What the last epoch's training pass gave: the sums of every minibatch fitted in a round that
     * was applied (round, then partition order), and why the epoch halted after a round (training
     * diverged), or null.
     */
    public record TrainingPass(ScoreSums sums, String halted) {
    }

    /** @param settings DL4J's builder with the workers, batch size, averaging frequency and prefetch */
    public RoundReportingMaster(Builder settings) {
        super(settings);
    }

    public void setRoundListener(RoundListener listener) {
        this.listener = listener;
    }

    /**
     * The coming epoch, and the seed of its random numbers on the workers (dropout masks): each round and
     * partition derives its own from it ({@link #seedTaskThread}), so that an epoch draws the same
     * masks in every run, and a resumed run the same as an uninterrupted one.
     */
    public void beginEpoch(int epoch, long seed) {
        this.epoch = epoch;
        this.epochSeed = seed;
    }

    /**
     * DL4J's worker for a round (parameters and optimizer state broadcast, a new network per
     * task), seeded for the round ({@link SeededWorker}); what DL4J's own method builds otherwise,
     * with training statistics off.
     */
    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkDl4jMultiLayer network) {
        MultiLayerNetwork net = network.getNetwork();
        Broadcast<NetBroadcastTuple> broadcast = broadcast(network.getSparkContext(), new NetBroadcastTuple(
                net.getLayerWiseConfigurations(), net.params(), net.getUpdater().getStateViewArray()));
        WorkerConfiguration configuration = new WorkerConfiguration(false, rddDataSetNumExamples,
                batchSizePerWorker, averagingFrequency, prefetchNumBatches, false);
        return new SeededWorker(broadcast, saveUpdater, configuration, trainingHookList, roundSeed(),
                TrainingPassScorer.reportingTo(fits, round));
    }

    /** The round's broadcast, timed as the round's first part. */
    protected Broadcast<NetBroadcastTuple> broadcast(JavaSparkContext sc, NetBroadcastTuple value) {
        clock(sc).broadcastStarts();
        Broadcast<NetBroadcastTuple> b = sc.broadcast(value);
        clock.broadcastDone();
        return b;
    }

    /** The last epoch's training pass; null before the first. */
    public TrainingPass trainingPass() {
        return pass;
    }

    /**
     * Where the time of each round since the last call went (see {@link RoundBreakdown}), oldest
     * first; empty before the first epoch.
     */
    public List<RoundBreakdown> roundTimings() {
        return clock == null ? List.of() : clock.drain();
    }

    /**
     * Seeds this task thread's ND4J generator (DL4J's dropout masks) for the round and the task's
     * partition. Call after the worker's network is built: building one may reseed the generator.
     */
    static void seedTaskThread(long roundSeed) {
        int partition = org.apache.spark.TaskContext.getPartitionId();
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(
                new SplittableRandom(roundSeed ^ (0x9E3779B97F4A7C15L * (partition + 1))).nextLong());
    }

    /** The current round's seed, from which each partition's seed follows ({@link #seedTaskThread}). */
    protected long roundSeed() {
        return roundSeed(round);
    }

    /** The seed of the epoch's {@code round} (from 1). */
    protected long roundSeed(int round) {
        return new SplittableRandom(epochSeed + 0xC2B2AE3D27D4EB4FL * round).nextLong();
    }

    /** Tells the listener, if any, that {@code round} of {@code rounds} has been averaged. */
    protected void reportRound(int round, int rounds) {
        if (listener != null) {
            listener.roundDone(round, rounds);
        }
    }

    @Override
    public void executeTrainingPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> paths,
                                     DataSetLoader dsLoader, MultiDataSetLoader mdsLoader) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(paths.context());
        if (numWorkers == null) {
            numWorkers = sc.defaultParallelism();
        }
        clock(sc);
        if (fits == null) {
            fits = new TrainingPassAccumulator();
            sc.sc().register(fits, "sparkalex-training-pass");
        }
        fits.reset();
        List<String> all = paths.collect();   // minibatch names: small, and built on the driver anyway
        int[] sizes = roundSizes(all.size(), numWorkers * averagingFrequency);
        int start = 0;
        String halted = null;
        for (int r = 0; r < sizes.length && halted == null; r++) {
            List<String> round = all.subList(start, start + sizes[r]);
            start += sizes[r];
            JavaRDD<String> split = sc.parallelize(round, Math.min(numWorkers, round.size()));
            doIterationPaths(network, graph, split, r + 1, sizes.length, rddDataSetNumExamples, dsLoader, mdsLoader);
            String why = Divergence.of(fits.round(r + 1), network.getNetwork().params());
            halted = why == null ? null : "round " + (r + 1) + " of " + sizes.length + ": " + why;
        }
        pass = new TrainingPass(fits.total(), halted);
    }

    /** How many minibatches each round gets: as few rounds as hold at most {@code perRound}, sizes within one. */
    static int[] roundSizes(int minibatches, int perRound) {
        int rounds = (minibatches + perRound - 1) / perRound;
        int[] sizes = new int[rounds];
        for (int r = 0; r < rounds; r++) {
            sizes[r] = minibatches / rounds + (r < minibatches % rounds ? 1 : 0);
        }
        return sizes;
    }

    /** The round clock, made on first use (driver only). */
    protected RoundClock clock(JavaSparkContext sc) {
        if (clock == null) {
            clock = new RoundClock(sc.sc());
        }
        return clock;
    }

    /** What a master must do before its round counts as done (e.g. free the round's broadcast). */
    protected void afterRound() {
    }

    @Override
    protected void doIterationPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> split,
                                    int splitNum, int numSplits, int dataSetObjectNumExamples,
                                    DataSetLoader dsLoader, MultiDataSetLoader mdsLoader) {
        round = splitNum;
        clock(JavaSparkContext.fromSparkContext(split.context())).roundStarts(epoch, splitNum);
        try {
            super.doIterationPaths(network, graph, split, splitNum, numSplits, dataSetObjectNumExamples, dsLoader,
                    mdsLoader);
        } finally {
            afterRound();
            clock.roundDone();
        }
        reportRound(splitNum, numSplits); // DL4J numbers splits from 1
    }
}
