package io.sparkalex.averaging;

import io.sparkalex.testing.Bits;
import io.sparkalex.testing.TestSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resident worker networks on real local Spark, against plain sequential DL4J training. */
class ResidentAveragingMasterTest {
    @TempDir
    Path tmp;

    private static MultiLayerNetwork smallNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DataSet batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 12);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        return new DataSet(x, y);
    }

    private List<String> writeBatches(DataSet batch, int copies) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("batches"));
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            File f = dir.resolve("b" + i + ".bin").toFile();
            batch.save(f);
            paths.add(f.toURI().toString());
        }
        return paths;
    }

    private ResidentAveragingMaster master(int workers, int frequency, Path stateDir, String run) {
        return master(workers, frequency, stateDir, run, Transfer.FLOAT32);
    }

    private ResidentAveragingMaster master(int workers, int frequency, Path stateDir, String run, Transfer transfer) {
        return new ResidentAveragingMaster(new ParameterAveragingTrainingMaster.Builder(workers, 8)
                .batchSizePerWorker(8).averagingFrequency(frequency).workerPrefetchNumBatches(0).rngSeed(1L),
                stateDir.toUri().toString(), run, transfer, 0, false);
    }

    /**
     * With one worker, averaging is the identity: two epochs of two rounds each, with a learning-rate
     * change between the epochs, must give exactly what eight sequential fits give, parameters and
     * Adam state. A worker that rebuilt its network (and restarted Adam) each round would not.
     */
    @Test
    void oneWorkerTrainsExactlyLikeSequentialFits() throws Exception {
        DataSet batch = batch(3);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        JavaRDD<String> paths = sc.parallelize(writeBatches(batch, 4), 1);

        MultiLayerNetwork plain = smallNetwork();
        MultiLayerNetwork distributed = plain.clone();
        ResidentAveragingMaster master = master(1, 2, tmp.resolve("state"), "one-worker");
        List<int[]> rounds = new ArrayList<>();
        master.setRoundListener((round, of) -> rounds.add(new int[] {round, of}));
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, distributed, master);
        try {
            for (int epoch = 1; epoch <= 2; epoch++) {
                if (epoch == 2) {
                    distributed.setLearningRate(3e-3);
                    plain.setLearningRate(3e-3);
                }
                spark.fitPaths(paths);
                for (int i = 0; i < 4; i++) {
                    plain.fit(batch);
                }
            }
        } finally {
            master.close();
        }
        assertEquals(List.of("1/2", "2/2", "1/2", "2/2"), rounds.stream().map(r -> r[0] + "/" + r[1]).toList(),
                "each epoch's two averaging rounds are reported as they end");
        INDArray start = smallNetwork().params();
        assertTrue(plain.params().distance2(start) > 1e-2, "training moved the parameters");
        Bits.assertBitIdentical(plain.params(), distributed.params(), "parameters");
        Bits.assertBitIdentical(plain.getUpdater().getStateViewArray(), distributed.getUpdater().getStateViewArray(),
                "Adam state averaged back at the epoch end");
        assertEquals(4 * 8, master.trainingPass().sums().examples(), "the last epoch's images fitted, counted by the worker");
        try (var left = Files.list(tmp.resolve("state"))) {
            assertEquals(List.of("average-one-worker.bin"), left.map(p -> p.getFileName().toString()).toList(),
                    "workers' files are consumed; the average is published for new worker networks");
        }
    }

    @Test
    void twoWorkersAverageTheirStateAtTheEpochEnd() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        JavaRDD<String> paths = sc.parallelize(writeBatches(batch(5), 8), 2);
        MultiLayerNetwork net = smallNetwork();
        ResidentAveragingMaster master = master(2, 2, tmp.resolve("state2"), "two-workers");
        try {
            new SparkDl4jMultiLayer(sc, net, master).fitPaths(paths);
        } finally {
            master.close();
        }
        assertTrue(net.getUpdater().getStateViewArray().amaxNumber().doubleValue() > 0,
                "the driver's Adam state is the workers' average, not the initial zeros");
        assertEquals(4, net.getLayerWiseConfigurations().getIterationCount(),
                "two rounds of averaging frequency 2: the driver counts 4 iterations");
        try (var left = Files.list(tmp.resolve("state2"))) {
            assertEquals(List.of("average-two-workers.bin"), left.map(p -> p.getFileName().toString()).toList(),
                    "both workers' files were averaged and consumed");
        }
    }

    /**
     * Rounds are dealt to partitions as Spark's parallelize would: contiguous slices, sizes within
     * one; a round with fewer minibatches than workers leaves the last partitions out of it.
     */
    @Test
    void eachRoundsMinibatchesAreDealtToPartitionsInContiguousSlices() {
        List<String> all = List.of("a", "b", "c", "d", "e", "f", "g");
        List<EpochWorker.Plan> plans = WorkerPlans.of(all, new int[] {4, 3}, 3);
        assertEquals(3, plans.size());
        assertEquals(List.of(List.of("a"), List.of("e")), plans.get(0).rounds());
        assertEquals(List.of(List.of("b"), List.of("f")), plans.get(1).rounds());
        assertEquals(List.of(List.of("c", "d"), List.of("g")), plans.get(2).rounds());
        List<EpochWorker.Plan> small = WorkerPlans.of(List.of("a", "b"), new int[] {2}, 4);
        assertEquals(2, small.size(), "no task for a partition without minibatches");
    }

    /** On a cluster a kept network's configuration is a copy: the driver's changes must be applied. */
    @Test
    void keptNetworksFollowTheDriversCountersAndLearningRate() {
        MultiLayerNetwork driver = smallNetwork();
        MultiLayerNetwork kept = new MultiLayerNetwork(
                MultiLayerConfiguration.fromJson(driver.getLayerWiseConfigurations().toJson()));
        kept.init();
        driver.setLearningRate(3e-3);
        driver.getLayerWiseConfigurations().setIterationCount(40);
        driver.getLayerWiseConfigurations().setEpochCount(2);
        MultiLayerConfiguration sent = MultiLayerConfiguration.fromJson(driver.getLayerWiseConfigurations().toJson());
        EpochWorker.followSchedule(kept, sent, sent.getIterationCount());
        assertEquals(40, kept.getLayerWiseConfigurations().getIterationCount());
        assertEquals(2, kept.getLayerWiseConfigurations().getEpochCount());
        assertEquals(3e-3, kept.getLearningRate(0), 1e-12);
        assertEquals(3e-3, kept.getLearningRate(1), 1e-12);
    }

    /** Two workers, one minibatch each, one round: the result is the mean of two separate fits, parameters and Adam state. */
    @Test
    void twoWorkersAveragedParametersEqualTheHandComputedAverage() throws Exception {
        DataSet first = batch(3);
        DataSet second = batch(4);
        Path dir = Files.createDirectories(tmp.resolve("two"));
        List<String> files = new ArrayList<>();
        for (DataSet b : List.of(first, second)) {
            File f = dir.resolve("b" + files.size() + ".bin").toFile();
            b.save(f);
            files.add(f.toURI().toString());
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        MultiLayerNetwork distributed = smallNetwork();
        MultiLayerNetwork a = smallNetwork();
        MultiLayerNetwork b = smallNetwork();
        a.fit(first);
        b.fit(second);
        ResidentAveragingMaster master = master(2, 1, tmp.resolve("state2"), "two-workers");
        try {
            new SparkDl4jMultiLayer(sc, distributed, master).fitPaths(sc.parallelize(files, 2));
        } finally {
            master.close();
        }
        INDArray expected = a.params().add(b.params()).divi(2);
        assertTrue(a.params().distance2(b.params()) > 1e-3, "the two workers' fits differ");
        Bits.assertBitIdentical(expected, distributed.params(), "parameters = (worker 1 + worker 2) / 2");
        INDArray state = a.getUpdater().getStateViewArray().add(b.getUpdater().getStateViewArray()).divi(2);
        Bits.assertBitIdentical(state, distributed.getUpdater().getStateViewArray(), "Adam state too");
    }

    /**
     * bfloat16 transfer, two workers, two rounds: the driver's parameters are the start plus the
     * workers' changes, each rounded to bfloat16, averaged and rounded again: within 2% of the
     * float32 run's change (bfloat16 keeps 8 bits of mantissa, and the second round starts from what
     * the first applied). That the workers' copies stay bit-identical to the driver's is
     * {@code ParameterExchangeTest}'s to show.
     */
    @Test
    void bf16ChangesAverageToWithinTheirPrecisionOfTheFloat32Average() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        List<String> files = new ArrayList<>();
        Path dir = Files.createDirectories(tmp.resolve("bf16"));
        for (int i = 0; i < 4; i++) {
            File f = dir.resolve("b" + i + ".bin").toFile();
            batch(10 + i).save(f);
            files.add(f.toURI().toString());
        }
        MultiLayerNetwork exact = smallNetwork();
        MultiLayerNetwork rounded = smallNetwork();
        INDArray start = exact.params().dup();
        for (Transfer transfer : Transfer.values()) {
            ResidentAveragingMaster master = master(2, 1, tmp.resolve("state-" + transfer), "bf16-" + transfer,
                    transfer);
            MultiLayerNetwork net = transfer == Transfer.BF16 ? rounded : exact;
            try {
                // two rounds of one minibatch per worker, partitions fixed: same data in both runs
                new SparkDl4jMultiLayer(sc, net, master).fitPaths(sc.parallelize(files, 2));
            } finally {
                master.close();
            }
        }
        INDArray moved = exact.params().sub(start);
        INDArray error = rounded.params().sub(exact.params());
        assertTrue(moved.norm2Number().doubleValue() > 1e-2, "training moved the parameters");
        assertTrue(error.norm2Number().doubleValue() > 0, "bfloat16 rounds something away");
        assertTrue(error.norm2Number().doubleValue() < 0.02 * moved.norm2Number().doubleValue(),
                "error " + error.norm2Number() + " within 2% of the change " + moved.norm2Number());
    }

    @Test
    void stateFilesAverageThisRunsEpochAndAreConsumed() throws Exception {
        OptimizerStateFiles files = new OptimizerStateFiles(tmp.resolve("s").toUri().toString(), new Configuration());
        assertTrue(files.averageWorkers("run", 3).isEmpty());
        files.writeWorker("run", 3, 0, Nd4j.createFromArray(1f, 2f, 3f));
        files.writeWorker("run", 3, 1, Nd4j.createFromArray(3f, 4f, 5f));
        files.writeWorker("run", 3, 1, Nd4j.createFromArray(3f, 6f, 9f)); // a retried task replaces its file
        files.writeWorker("run", 2, 2, Nd4j.createFromArray(100f, 100f, 100f)); // a late task of epoch 2
        files.writeWorker("other", 3, 2, Nd4j.createFromArray(100f, 100f, 100f)); // another run's file
        Bits.assertBitIdentical(Nd4j.createFromArray(2f, 4f, 6f), files.averageWorkers("run", 3).orElseThrow(),
                "(1+3)/2, (2+6)/2, (3+9)/2: divided by this epoch's two files only");
        assertTrue(files.averageWorkers("run", 3).isEmpty(), "consumed, stale ones removed");
        assertFalse(files.published("run").isPresent());
        files.publish("run", Nd4j.createFromArray(7f, 8f));
        Bits.assertBitIdentical(Nd4j.createFromArray(7f, 8f), files.published("run").orElseThrow(), "published");
        assertFalse(files.published("other").isPresent(), "another run's average is not this run's");
    }
}
