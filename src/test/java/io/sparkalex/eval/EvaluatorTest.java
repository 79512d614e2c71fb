package io.sparkalex.eval;

import io.sparkalex.data.Augmentation;
import io.sparkalex.data.BatchPlan;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.data.CachedData;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.data.ImageCache;
import io.sparkalex.data.SplitTable;
import io.sparkalex.model.AlexNet;
import io.sparkalex.storage.FileDigest;
import io.sparkalex.testing.Bits;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import io.sparkalex.train.NetworkFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The driver adds the partitions' sums in partition order, not as their tasks finish: with 4
 * partitions the loss has the bits of a sequential sum of partition 0's, then 1's, 2's and 3's.
 */
class EvaluatorTest {
    @TempDir
    Path tmp;

    @Test
    void partitionsAreAddedInPartitionOrder() throws Exception {
        SparkSession spark = TestSpark.session();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SampleData data = SampleData.write(tmp.resolve("data"), 3, 20, 12);
        SplitTable table = SplitTable.read(spark, data.csv().toUri().toString());
        ClassIndex classes = table.classes(Map.of());
        CachedData cached = new ImageCache(spark, new ImageCache.Settings(tmp.resolve("cache").toUri().toString(),
                data.images().toUri().toString(), 76, ImageCache.JPEG_QUALITY, 16, 2, 1L << 26))
                .open(table, classes, FileDigest.sha256(data.csv().toUri().toString(), sc.hadoopConfiguration()));
        List<String> batches = BatchPlan.evaluation(cached.split("train"), 4);
        assertEquals(11, batches.size(), "42 images in minibatches of 4");
        MultiLayerNetwork network = new MultiLayerNetwork(AlexNet.configuration(NetworkFactory.spec(TinyConfig.with(),
                classes.size())));
        network.init();
        CacheBatchLoader loader = new CacheBatchLoader(67, classes.size(), Augmentation.NONE, 1, sc.hadoopConfiguration());

        EvalResult distributed = new Evaluator(sc, 4, loader, 67, 30)
                .evaluate(network, List.of(new Evaluator.Batches("train", batches, 1))).get(0);

        EvalResult sequential = EvalResult.EMPTY;
        try (ModelBroadcast model = ModelBroadcast.of(sc, network)) {
            org.apache.spark.util.LongAccumulator counted = sc.sc().longAccumulator();
            EvaluateBatches task = new EvaluateBatches(model, loader, 67, 1, counted);
            int n = batches.size();
            for (int p = 0; p < 4; p++) {   // the slices Spark's parallelize cuts
                Iterator<EvalResult> part = task.call(batches.subList(p * n / 4, (p + 1) * n / 4).iterator());
                sequential = sequential.plus(part.next());
            }
            assertEquals(n, counted.value(), "every minibatch counted for the progress line");
        }
        assertEquals(42, distributed.examples());
        Bits.assertBitIdentical(sequential.sums().lossSum(), distributed.sums().lossSum(), "the loss sum");
        assertEquals(sequential.sums(), distributed.sums());
    }
}
