package io.sparkalex.averaging;

import io.sparkalex.testing.TestSpark;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every minibatch of an epoch is trained exactly once, whatever the workers and sizes. */
class RoundReportingMasterTest {
    /** Counts, per test run, how often each minibatch name was loaded; local mode shares this JVM. */
    static final Map<String, Integer> LOADED = new ConcurrentHashMap<>();

    /** Makes a tiny minibatch for any name and counts the call. */
    static final class CountingLoader implements DataSetLoader {
        @Override
        public DataSet load(Source source) {
            LOADED.merge(source.getPath(), 1, Integer::sum);
            return new DataSet(Nd4j.rand(DataType.FLOAT, 4, 6), Nd4j.eye(4).getColumns(0, 1, 2).castTo(DataType.FLOAT));
        }
    }

    @ParameterizedTest(name = "{0} minibatches, {1} per round")
    @CsvSource({"22, 20", "20, 20", "21, 4", "3, 2", "1, 10", "100, 7"})
    void roundsHoldEveryMinibatchAtMostPerRoundEachWithinOne(int minibatches, int perRound) {
        int[] sizes = RoundReportingMaster.roundSizes(minibatches, perRound);
        assertEquals(minibatches, IntStream.of(sizes).sum());
        assertEquals((minibatches + perRound - 1) / perRound, sizes.length, "as few rounds as fit");
        assertTrue(IntStream.of(sizes).max().orElse(0) <= perRound);
        assertTrue(IntStream.of(sizes).max().orElse(0) - IntStream.of(sizes).min().orElse(0) <= 1);
    }

    @ParameterizedTest(name = "{0} minibatches, {1} workers, frequency {2}")
    @CsvSource({"11, 2, 2", "7, 2, 5", "5, 3, 1", "13, 2, 10"})
    void sparkTrainsEveryMinibatchExactlyOnce(int minibatches, int workers, int frequency) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.1)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        RoundReportingMaster master = new RoundReportingMaster(new ParameterAveragingTrainingMaster.Builder(workers, 4)
                .batchSizePerWorker(4).averagingFrequency(frequency).workerPrefetchNumBatches(0));
        List<int[]> rounds = Collections.synchronizedList(new ArrayList<>());
        master.setRoundListener((round, of) -> rounds.add(new int[] {round, of}));
        String prefix = "mb-" + minibatches + "-" + workers + "-" + frequency + "-";
        List<String> names = IntStream.range(0, minibatches).mapToObj(i -> prefix + i).toList();
        new SparkDl4jMultiLayer(sc, net, master).fitPaths(sc.parallelize(names, 3), new CountingLoader());
        for (String name : names) {
            assertEquals(1, LOADED.getOrDefault(name, 0), name + " trained once");
        }
        int expectedRounds = (minibatches + workers * frequency - 1) / (workers * frequency);
        assertEquals(expectedRounds, rounds.size());
        assertEquals(expectedRounds, rounds.get(rounds.size() - 1)[1]);
    }
}
