package io.sparkalex.ml;

import io.sparkalex.eval.SavedModel;
import io.sparkalex.predict.PredictImages;
import io.sparkalex.predict.Prediction;
import io.sparkalex.predict.Predictor;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.ToyModel;
import io.sparkalex.train.SavedModels;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Model's transform against the predictor {@code predict} runs, image by image, on the toy
 * model; saved and loaded inside a PipelineModel.
 */
class AlexNetClassificationModelTest {

    @Test
    void transformGivesPredictsTopOneForEveryImageAndAnErrorForAnUnreadableOne() throws Exception {
        ToyModel toy = ToyModel.get();
        Configuration hadoop = new Configuration();
        String root = toy.data().images().toUri().toString();
        List<String> names = csvNames(toy, Integer.MAX_VALUE);
        names.add("../escaping.JPEG");
        Dataset<Row> images = TestSpark.session().createDataset(names, Encoders.STRING()).toDF("image");

        List<Row> scored = AlexNetClassificationModel.load(toy.best().toUri().toString(), hadoop).setImagesRoot(root)
                .transform(images).collectAsList();

        SavedModel saved = SavedModels.load(toy.best().toUri().toString(), hadoop);
        Predictor.Settings settings = Predictor.Settings.of(saved, saved.input().evalCrops(), 1);
        List<Predictor.Input> inputs = names.stream().map(n -> PredictImages.input(n, root, hadoop)).toList();
        List<Prediction> expected = new Predictor(saved.network(), settings).predict(inputs.iterator());

        assertEquals(names.size(), scored.size(), "every row");
        int compared = 0;
        for (Row r : scored) {
            Prediction p = expected.get(names.indexOf(r.getString(0)));
            if (p.ok()) {
                assertEquals(p.topIds().get(0), r.getAs("predictedLabel"), r.toString());
                assertEquals((double) saved.classes().indexOf(p.topIds().get(0)), (Double) r.getAs("prediction"), 0.0);
                Vector probs = r.getAs("probability");
                assertEquals(1.0, Arrays.stream(probs.toArray()).sum(), 1e-4, "a distribution");
                assertEquals(p.topProbs().get(0), probs.apply(probs.argmax()), 1e-6);
                assertNull(r.getAs("error"));
                compared++;
            } else {
                assertNull(r.getAs("prediction"));
                assertNotNull(r.getAs("error"), r.toString());
            }
        }
        assertEquals(names.size() - 1, compared, "every readable image compared, the escaping path refused");
        assertTrue(scored.stream().anyMatch(r -> r.getString(0).startsWith("..") && r.getAs("error") != null));
    }

    @Test
    void aPipelineHoldingTheModelSavesAndLoadsAndScoresTheSame(@TempDir java.nio.file.Path tmp) throws Exception {
        ToyModel toy = ToyModel.get();
        String root = toy.data().images().toUri().toString();
        List<String> names = csvNames(toy, 8);
        Dataset<Row> images = TestSpark.session().createDataset(names, Encoders.STRING()).toDF("path");
        AlexNetClassificationModel model = AlexNetClassificationModel.load(toy.best().toUri().toString(),
                new Configuration()).setImagesRoot(root).setImageCol("path");
        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {model}).fit(images);
        String dir = tmp.resolve("pipeline").toUri().toString();
        pipeline.write().overwrite().save(dir);

        PipelineModel loaded = PipelineModel.load(dir);
        AlexNetClassificationModel stage = (AlexNetClassificationModel) loaded.stages()[0];
        assertEquals(model.uid(), stage.uid());
        assertEquals("path", stage.getOrDefault(stage.imageCol()), "params saved and loaded");
        assertEquals(pipeline.transform(images).select("path", "prediction", "probability").collectAsList(),
                loaded.transform(images).select("path", "prediction", "probability").collectAsList());

        // a zip written by train reads as the model too
        AlexNetClassificationModel fromZip = AlexNetClassificationModel.read().load(toy.best().toUri().toString());
        assertEquals(model.transform(images).select("prediction").collectAsList(),
                fromZip.setImagesRoot(root).setImageCol("path").transform(images).select("prediction").collectAsList());
    }

    @Test
    void copiesShareOneBroadcastAndAReleasedOneIsMadeAgain() throws Exception {
        ToyModel toy = ToyModel.get();
        String root = toy.data().images().toUri().toString();
        List<String> names = csvNames(toy, 4);
        Dataset<Row> images = TestSpark.session().createDataset(names, Encoders.STRING()).toDF("image");
        AlexNetClassificationModel model = AlexNetClassificationModel.load(toy.best().toUri().toString(),
                new Configuration()).setImagesRoot(root);
        assertEquals(-1, model.broadcastId());
        List<Row> first = model.transform(images).select("prediction").collectAsList();
        long id = model.broadcastId();
        AlexNetClassificationModel copy = model.copy(new org.apache.spark.ml.param.ParamMap()).setPredictionCol("p");
        assertEquals(first, copy.transform(images).select("p").collectAsList());
        assertEquals(id, copy.broadcastId(), "a copy (as Spark makes to set params) broadcasts nothing new");

        copy.releaseBroadcast();
        assertEquals(-1, model.broadcastId(), "released for the model and its copies");
        assertEquals(first, model.transform(images).select("prediction").collectAsList(), "broadcast again");
        assertTrue(model.broadcastId() > id);
    }

    /** The file names of the toy data's CSV, its first {@code count} rows (all when there are fewer). */
    private static List<String> csvNames(ToyModel toy, int count) throws java.io.IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(toy.data().csv()).stream().skip(1).limit(count).toList()) {
            names.add(line.split(",")[1]);
        }
        return names;
    }
}
