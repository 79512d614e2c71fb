package io.sparkalex.ml;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.cli.Main;
import io.sparkalex.data.SplitTable;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.predict.PredictImages;
import io.sparkalex.predict.Prediction;
import io.sparkalex.predict.Predictor;
import io.sparkalex.storage.Json;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.train.SavedModels;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.substring_index;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Estimator fitted in a Pipeline on generated data in local mode, through the same training
 * job as {@code train}: its model scored against {@code predict}'s predictor and {@code evaluate},
 * the images read three ways (paths, {@code binaryFile}, {@code image}), saved, loaded and refitted.
 */
class AlexNetClassifierTest {
    private static final String[] TINY = {"image_size=67", "width_factor=0.25", "epochs=2", "batch_size=16",
            "averaging_frequency=2", "learning_rate=1e-3", "dropout=0"};

    @TempDir
    static Path tmp;
    static SampleData data;
    static String root;

    @BeforeAll
    static void data() throws Exception {
        data = SampleData.write(tmp.resolve("data"), 3, 30, 11);
        root = data.images().toUri().toString();
    }

    @Test
    void aFittedPipelineScoresAsPredictAndEvaluateDoAndReadsImagesThreeWays() throws Exception {
        SparkSession spark = TestSpark.session();
        Dataset<Row> rows = SplitTable.read(spark, data.csv().toUri().toString()).split("train")
                .union(SplitTable.read(spark, data.csv().toUri().toString()).split("val"))
                .withColumn("isVal", col(SplitTable.SPLIT).equalTo("val"));
        String checkpoints = tmp.resolve("pipeline-run").toUri().toString();
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCol("label").setOutputCol("labelIndex").setStringOrderType("alphabetAsc"),
                new AlexNetClassifier().setImageCol("filename").setImagesRoot(root).setLabelCol("label")
                        .setValidationIndicatorCol("isVal").setCheckpointDir(checkpoints).setSettings(TINY)});
        PipelineModel fitted = pipeline.fit(rows);
        String saved = tmp.resolve("saved-pipeline").toUri().toString();
        fitted.write().overwrite().save(saved);
        PipelineModel model = PipelineModel.load(saved);

        // Every image of the data (test split included) and one escaping path, against predict's predictor.
        Dataset<Row> all = SplitTable.read(spark, data.csv().toUri().toString()).split("test").union(rows.drop("isVal"))
                .union(spark.sql("SELECT '../escaping.JPEG' AS filename, 'test' AS split, 'n0' AS label"));
        List<Row> scored = model.stages()[1].transform(all).collectAsList();
        Configuration hadoop = new Configuration();
        SavedModel best = SavedModels.load(checkpoints + "/best.zip", hadoop);
        List<String> names = scored.stream().map(r -> r.<String>getAs("filename")).toList();
        List<Prediction> expected = new Predictor(best.network(), Predictor.Settings.of(best, best.input().evalCrops(), 1))
                .predict(names.stream().map(n -> PredictImages.input(n, root, hadoop)).iterator());
        int compared = 0;
        for (int i = 0; i < scored.size(); i++) {
            Row r = scored.get(i);
            Prediction p = expected.get(i);
            if (p.ok()) {
                assertEquals(p.topIds().get(0), r.getAs("predictedLabel"), r.toString());
                assertEquals(best.classes().indexOf(p.topIds().get(0)), (Double) r.getAs("prediction"), 0.0);
                compared++;
            } else {
                assertNull(r.getAs("prediction"));
                assertNotNull(r.getAs("error"));
            }
        }
        assertEquals(all.count() - 1, compared, "every image compared, the escaping path refused");

        // MulticlassClassificationEvaluator on the test split gives evaluate's accuracy.
        Path evalOut = tmp.resolve("eval");
        assertEquals(ExitCode.OK, Main.execute("evaluate", "--model", checkpoints + "/best.zip", "--csv",
                data.csv().toString(), "--images", data.images().toString(), "--split", "test", "--out",
                evalOut.toString()));
        EvaluationReport report = Json.read(Files.readString(evalOut.resolve("eval-test.json")), EvaluationReport.class);
        Dataset<Row> test = model.transform(SplitTable.read(spark, data.csv().toUri().toString()).split("test"))
                .filter(col("prediction").isNotNull());
        double accuracy = new MulticlassClassificationEvaluator().setLabelCol("labelIndex")
                .setMetricName("accuracy").evaluate(test);
        assertEquals(report.images(), test.count());
        assertEquals(report.accuracy(), accuracy, 1e-12);

        // The same images read by Spark's binaryFile and image sources score as their paths do.
        Map<String, Row> byPath = new HashMap<>();
        scored.forEach(r -> byPath.put(r.getAs("filename"), r));
        AlexNetClassificationModel alexnet = (AlexNetClassificationModel) model.stages()[1];
        Dataset<Row> files = spark.read().format("binaryFile").load(root);
        int bytesCompared = 0;
        for (Row r : alexnet.copy(new org.apache.spark.ml.param.ParamMap()).setImageCol("content").transform(files)
                .collectAsList()) {
            Row viaPath = byPath.get(name(r.getAs("path")));
            if (viaPath != null) {
                assertEquals(viaPath.<Double>getAs("prediction"), r.<Double>getAs("prediction"), r.<String>getAs("path"));
                assertArrayEquals(viaPath.<Vector>getAs("probability").toArray(),
                        r.<Vector>getAs("probability").toArray(), 1e-6, "the same bytes (in other minibatches)");
                bytesCompared++;
            }
        }
        assertEquals(compared, bytesCompared, "every image read as binaryFile content");
        Dataset<Row> images = spark.read().format("image").load(root);
        int structsCompared = 0;
        for (Row r : alexnet.copy(new org.apache.spark.ml.param.ParamMap()).setImageCol("image").transform(images)
                .collectAsList()) {
            Row viaPath = byPath.get(name(r.<Row>getAs("image").getString(0)));
            if (viaPath != null && viaPath.getAs("prediction") != null) {
                assertEquals(viaPath.<Double>getAs("prediction"), r.<Double>getAs("prediction"));
                assertArrayEquals(viaPath.<Vector>getAs("probability").toArray(),
                        r.<Vector>getAs("probability").toArray(), 1e-4, "decoded by Spark, scaled by us");
                structsCompared++;
            }
        }
        assertEquals(compared, structsCompared, "every image read as an image struct");

        // The unfitted Pipeline saved and loaded, then fitted again over the same directory: the run is
        // found done (its settings came back, or the run would differ): nothing retrained, the same model.
        String unfitted = tmp.resolve("unfitted-pipeline").toUri().toString();
        pipeline.write().overwrite().save(unfitted);
        AlexNetClassifier reloaded = (AlexNetClassifier) Pipeline.load(unfitted).getStages()[1];
        assertArrayEquals(TINY, (String[]) reloaded.getOrDefault(reloaded.settings()));
        assertEquals("isVal", reloaded.getOrDefault(reloaded.validationIndicatorCol()));
        byte[] bestBytes = Files.readAllBytes(tmp.resolve("pipeline-run/best.zip"));
        List<String> metrics = Files.readAllLines(tmp.resolve("pipeline-run/metrics.jsonl"));
        long csvWritten = Files.getLastModifiedTime(tmp.resolve("pipeline-run/_input/split.csv")).toMillis();
        PipelineModel again = Pipeline.load(unfitted).fit(rows);
        assertEquals(csvWritten, Files.getLastModifiedTime(tmp.resolve("pipeline-run/_input/split.csv")).toMillis(),
                "the same DataFrame, the same CSV: not rewritten");
        assertArrayEquals(bestBytes, Files.readAllBytes(tmp.resolve("pipeline-run/best.zip")));
        assertEquals(metrics, Files.readAllLines(tmp.resolve("pipeline-run/metrics.jsonl")));
        assertEquals(model.stages()[1].transform(all).select("prediction").collectAsList(),
                again.stages()[1].transform(all).select("prediction").collectAsList());
    }

    @Test
    void fitsFromBinaryFileContentWithClassIndicesAndAValidationFraction() throws Exception {
        SparkSession spark = TestSpark.session();
        Dataset<Row> files = spark.read().format("binaryFile").load(root)
                .withColumn("wnid", substring_index(substring_index(col("path"), "/", -1), "_", 1));
        Dataset<Row> indexed = new StringIndexer().setInputCol("wnid").setOutputCol("labelIndex")
                .setStringOrderType("alphabetAsc").fit(files).transform(files);
        Path run = tmp.resolve("content-run");
        AlexNetClassificationModel model = new AlexNetClassifier().setImageCol("content").setLabelCol("labelIndex")
                .setValidationFraction(0.2).setCheckpointDir(run.toUri().toString()).setSettings(TINY)
                .setSetting("epochs", "1").fit(indexed);

        assertEquals(List.of("0", "1", "2"), model.labels(), "class indices as labels, in their order");
        List<String> csv = Files.readAllLines(run.resolve("_input/split.csv"));
        long images = files.count();
        assertEquals(images + 1, csv.size(), "every row of the DataFrame in the CSV train read");
        try (var staged = Files.list(run.resolve("_input/images"))) {
            assertEquals(images, staged.filter(f -> !f.getFileName().toString().startsWith(".")).count(),
                    "every image staged once");
        }
        long val = csv.stream().filter(l -> l.contains(",val,")).count();
        assertTrue(val > 0.1 * images && val < 0.3 * images, val + " of " + images + " held out for validation");
        List<Row> scored = model.transform(indexed.select("path", "content", "labelIndex")).collectAsList();
        for (Row r : scored) {
            assertEquals(Double.parseDouble(r.getAs("predictedLabel")), (Double) r.getAs("prediction"), 0.0, r.toString());
        }
        assertEquals(images, scored.size());
    }

    private static String name(String uri) {
        return uri.substring(uri.lastIndexOf('/') + 1);
    }
}
