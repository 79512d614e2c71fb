package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.MetricsLog;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real local[2] run of a small AlexNet on generated data: the whole job, nothing mocked. */
class EndToEndTest {
    @TempDir
    static java.nio.file.Path tmp;
    static TrainingJob.Result result;
    static java.nio.file.Path out;
    static SampleData data;

    @BeforeAll
    static void train() throws Exception {
        data = SampleData.write(tmp.resolve("data"), 5, 60, 11);
        out = tmp.resolve("out");
        JobConfig config = TinyConfig.with("epochs", "3", "batch_size", "16", "averaging_frequency", "2",
                "learning_rate", "1e-3", "dropout", "0.2");
        result = new TrainingJob(TestSpark.session(), config, data.locations(out), false).run();
    }

    @Test
    void lossFallsAndValidationAccuracyIsWellAboveChance() {
        var h = result.history();
        assertEquals(3, h.size());
        assertTrue(h.get(2).trainLoss() < h.get(0).trainLoss(), "train loss should fall: " + h);
        assertTrue(h.get(2).valLoss() < h.get(0).valLoss(), "val loss should fall: " + h);
        // Deterministic since every random stream is seeded: this run reaches 0.73 (22 of 30 val
        // images); the bound is 2.5x chance (15 of 30), a margin of 7 images for other platforms' floats.
        double chance = 1.0 / 5;
        assertTrue(h.get(2).valAcc() >= 2.5 * chance, "val accuracy " + h.get(2).valAcc() + " vs chance " + chance);
        assertTrue(h.get(2).valAcc() > 2.5 * chance + 0.1, "with a margin: " + h.get(2).valAcc());
    }

    /**
     * Every training image once per epoch, counted where it is used: the workers count the images
     * they fit (each round's count travels with its result) and the epoch sums them; the data report
     * counts the training rows the cache holds, independently.
     */
    @Test
    void everyTrainingImageIsFittedOncePerEpoch() throws Exception {
        var report = io.sparkalex.storage.Json.MAPPER.readTree(Files.readString(out.resolve("data-report.json")));
        long used = report.path("splits").path("train").path("used").asLong();
        assertEquals(210, used, "70% of 5 x 60 rows, none skipped");
        for (var m : result.history()) {
            assertEquals(used, m.trainImages(), "images fitted in epoch " + m.epoch());
        }
    }

    @Test
    void metricsFilesHaveOneCompleteLinePerEpoch() throws Exception {
        List<String> lines = Files.readAllLines(out.resolve(MetricsLog.JSONL));
        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            var node = io.sparkalex.storage.Json.MAPPER.readTree(lines.get(i));
            assertEquals(i + 1, node.get("epoch").asInt());
            for (String key : List.of("train_loss", "train_acc", "val_loss", "val_acc", "images_per_sec",
                    "epoch_seconds", "lr")) {
                assertTrue(node.get(key).isNumber(), key + " in " + lines.get(i));
            }
            assertTrue(node.has("val_top5"), "val_top5 present (null with 5 classes)");
        }
        List<String> csv = Files.readAllLines(out.resolve(MetricsLog.CSV));
        assertEquals(4, csv.size());
        assertTrue(csv.get(0).startsWith("epoch,train_loss,train_acc,val_loss,val_acc,val_top5,images_per_sec,epoch_seconds"));
    }

    @Test
    void checkpointsReloadAsPlainDl4jModelsWithTheirState() throws Exception {
        FileSystem fs = FileSystem.getLocal(TestSpark.session().sparkContext().hadoopConfiguration());
        CheckpointStore store = new CheckpointStore(fs, new Path(out.toUri()));
        DataSet batch = anyBatch();

        var latest = store.load(CheckpointStore.LATEST).orElseThrow();
        assertEquals(3, latest.state().epoch());
        assertEquals(result.history(), latest.state().history());
        assertEquals(List.of("n02091244", "n02114548", "n02138441", "n03075370", "n03584254"), latest.state().classes());
        INDArray expected = latest.network().output(batch.getFeatures(), false);
        // Plain DL4J reads it too, with the updater state: the same bits; its outputs come from
        // DL4J's own layers, not the job's oneDNN kernels, hence ND4J's 1e-5.
        MultiLayerNetwork plain = ModelSerializer.restoreMultiLayerNetwork(out.resolve(CheckpointStore.LATEST).toFile(), true);
        assertEquals(expected, plain.output(batch.getFeatures(), false));
        io.sparkalex.testing.Bits.assertBitIdentical(latest.network().params(), plain.params(), "parameters");
        io.sparkalex.testing.Bits.assertBitIdentical(latest.network().getUpdater().getStateViewArray(),
                plain.getUpdater().getStateViewArray(), "updater state");
        assertTrue(plain.getUpdater().getStateViewArray().amaxNumber().doubleValue() > 0,
                "the checkpoint holds the workers' averaged Adam state, not zeros");

        var best = store.load(CheckpointStore.BEST).orElseThrow();
        assertEquals(result.bestEpoch(), best.state().epoch());
        if (result.bestEpoch() == 3) {
            io.sparkalex.testing.Bits.assertBitIdentical(expected, best.network().output(batch.getFeatures(), false),
                    "best.zip is a copy of the epoch's latest.zip");
        }
        assertTrue(Files.exists(out.resolve("data-report.json")));
    }

    @Test
    void theTestSplitIsScoredOnTheBestModel() throws Exception {
        var test = io.sparkalex.storage.Json.MAPPER.readTree(Files.readString(out.resolve("test-metrics.json")));
        assertEquals(result.bestEpoch(), test.path("best_epoch").asInt());
        assertEquals(result.test().testAcc(), test.path("test_acc").asDouble(), 1e-12);
        assertEquals(60, test.path("test_images").asLong(), "20% of 5 x 60 images");
        assertTrue(test.path("test_top5").isNull(), "no top-5 with 5 classes");
    }

    @Test
    void resumingWithAnIncompatibleConfigurationStopsWithAClearMessage() {
        var other = TinyConfig.with("epochs", "4", "image_size", "99");
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.sparkalex.config.ConfigError.class,
                () -> new TrainingJob(TestSpark.session(), other, data.locations(out), false).run());
        assertTrue(e.getMessage().contains("image_size=67") && e.getMessage().contains("image_size=99")
                && e.getMessage().contains("--fresh"), e.getMessage());
    }

    private static DataSet anyBatch() {
        var gen = new java.util.Random(3);
        float[] x = new float[4 * 3 * 67 * 67];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) gen.nextGaussian();
        }
        return new DataSet(org.nd4j.linalg.factory.Nd4j.create(x, new long[] {4, 3, 67, 67}, 'c'), null);
    }
}
