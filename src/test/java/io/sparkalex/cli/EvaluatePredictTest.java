package io.sparkalex.cli;

import io.sparkalex.data.EvalTransform;
import io.sparkalex.data.ImageFiles;
import io.sparkalex.data.Pixels;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.predict.Prediction;
import io.sparkalex.storage.FileDigest;
import io.sparkalex.storage.Json;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.ToyModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code evaluate}, {@code predict} and {@code summary --model} through the command line, on a
 * toy model trained in this JVM, against numbers computed here image by image without Spark.
 */
class EvaluatePredictTest {
    @TempDir
    static java.nio.file.Path tmp;
    static ToyModel toy;
    /** A copy of the toy's images plus a corrupt file and an image of a class the model does not know. */
    static java.nio.file.Path images;
    static java.nio.file.Path csv;
    static final String CORRUPT = "n02091244_corrupt.JPEG";
    static final String UNKNOWN = "n09999999_1.JPEG";

    @BeforeAll
    static void data() throws Exception {
        toy = ToyModel.get();
        images = tmp.resolve("images");
        Files.createDirectories(images);
        try (var files = Files.list(toy.data().images())) {
            for (java.nio.file.Path f : files.toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        byte[] good = Files.readAllBytes(images.resolve(testRows().get(0)));
        Files.write(images.resolve(CORRUPT), Arrays.copyOf(good, 300));
        Files.write(images.resolve(UNKNOWN), good);
        csv = tmp.resolve("with-bad-rows.csv");
        Files.writeString(csv, Files.readString(toy.data().csv()) + "9001," + CORRUPT + ",test\n9002," + UNKNOWN
                + ",test\n");
    }

    /** File names of the toy CSV's rows in {@code split}. */
    static List<String> rows(String split) throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(toy.data().csv()).subList(1, Files.readAllLines(toy.data().csv()).size())) {
            String[] f = line.split(",");
            if (f[2].equals(split)) {
                names.add(f[1]);
            }
        }
        return names;
    }

    static List<String> testRows() throws Exception {
        return rows("test");
    }

    static String label(String fileName) {
        String name = fileName.substring(fileName.lastIndexOf('/') + 1);
        return name.substring(0, name.indexOf('_'));
    }

    @Test
    void evaluateEqualsADirectComputationPerClassAndConfusionIncluded() throws Exception {
        java.nio.file.Path out = tmp.resolve("eval");
        assertEquals(ExitCode.OK, Main.execute("evaluate", "--model", toy.best().toString(), "--csv", csv.toString(),
                "--images", images.toString(), "--split", "test", "--out", out.toString()));
        EvaluationReport r = Json.read(Files.readString(out.resolve("eval-test.json")), EvaluationReport.class);

        Direct direct = direct("test", 1);
        Evaluation nd4j = direct.evaluation();
        int n = direct.images();
        double loss = direct.lossSum();
        SavedModel model = direct.model();
        assertEquals(n, r.images());
        assertEquals(loss / n, r.loss(), 1e-5);
        assertEquals(nd4j.accuracy(), r.accuracy(), 1e-12);
        assertNull(r.top5(), "3 classes: no top-5");
        for (int a = 0; a < model.classes().size(); a++) {
            EvaluationReport.ClassScore c = r.classes().get(a);
            assertEquals(model.classes().get(a), c.id());
            assertEquals(nd4j.precision(a), c.precision(), 1e-12, "precision of " + c.id());
            assertEquals(nd4j.recall(a), c.recall(), 1e-12, "recall of " + c.id());
            assertEquals(nd4j.f1(a), c.f1(), 1e-12, "f1 of " + c.id());
            for (int p = 0; p < model.classes().size(); p++) {
                assertEquals(nd4j.getConfusionMatrix().getCount(a, p), r.confusion().get(a).get(p),
                        "confusion[" + a + "][" + p + "]");
            }
        }
        assertEquals(r.classes().stream().mapToDouble(EvaluationReport.ClassScore::f1).average().orElseThrow(),
                r.macroF1(), 1e-12);
        assertTrue(r.accuracy() > 0.6, "a trained model, far above chance: " + r.accuracy());

        // The bad rows are counted, not scored and not fatal.
        assertEquals(2, r.rows().skipped());
        assertEquals(Map.of("corrupt", 1L, "unknown_class", 1L), Map.of(
                "corrupt", r.rows().skippedByReason().get("corrupt").count(),
                "unknown_class", r.rows().skippedByReason().get("unknown_class").count()));

        List<String> confusion = Files.readAllLines(out.resolve("confusion-test.csv"));
        assertEquals("actual\\predicted," + String.join(",", model.classes().stream()
                .map(id -> id + " " + model.names().get(id)).toList()), confusion.get(0), "classes by id and name");
        assertEquals(1 + model.classes().size(), confusion.size());
        var heatmap = ImageIO.read(out.resolve("confusion-test.png").toFile());
        assertTrue(heatmap.getWidth() >= 500 && heatmap.getHeight() >= 500, "heatmap " + heatmap.getWidth());
    }

    @Test
    void evaluateWithTenCropsAveragesTheCropsOutputs() throws Exception {
        java.nio.file.Path out = tmp.resolve("eval10");
        assertEquals(ExitCode.OK, Main.execute("evaluate", "--model", toy.best().toString(), "--csv", csv.toString(),
                "--images", images.toString(), "--split", "val", "--crops", "10", "--out", out.toString()));
        EvaluationReport r = Json.read(Files.readString(out.resolve("eval-val.json")), EvaluationReport.class);
        Direct direct = direct("val", 10);
        assertEquals(10, r.crops());
        assertEquals(direct.images(), r.images());
        assertEquals(direct.lossSum() / direct.images(), r.loss(), 1e-5);
        assertEquals(direct.evaluation().accuracy(), r.accuracy(), 1e-12);
    }

    /** Scores of the split's images computed here, one image at a time, by ND4J's own {@link Evaluation}. */
    record Direct(SavedModel model, Evaluation evaluation, double lossSum, int images) {
    }

    static Direct direct(String split, int crops) throws Exception {
        SavedModel model = io.sparkalex.train.SavedModels.load(toy.best().toString(), new Configuration());
        int size = model.input().imageSize();
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Evaluation evaluation = new Evaluation(model.classes());
        double loss = 0;
        int n = 0;
        for (String name : rows(split)) {
            ImageFiles.Loaded img = ImageFiles.read(fs, new Path(images.resolve(name).toUri()), model.input().resizeSize(),
                    Long.MAX_VALUE);
            INDArray p = null;
            for (int k = 0; k < crops; k++) {
                float[] x = new float[3 * size * size];
                new EvalTransform(size).crop(Pixels.of(img.square()), crops == 1 ? 4 : k, x, 0);
                INDArray out = model.network().output(Nd4j.create(x, new long[] {1, 3, size, size}, 'c'), false);
                p = p == null ? out.dup() : p.addi(out);
            }
            p.divi(crops);
            int label = model.classes().indexOf(label(name));
            INDArray y = Nd4j.zeros(1, model.classes().size());
            y.putScalar(0, label, 1);
            evaluation.eval(y, p);
            loss -= Math.log(p.getDouble(0, label));
            n++;
        }
        return new Direct(model, evaluation, loss, n);
    }

    @Test
    void trainWritesTheSameEvaluationOfItsBestModelOnTheTestSplit() throws Exception {
        EvaluationReport r = Json.read(Files.readString(toy.out().resolve("eval-test.json")), EvaluationReport.class);
        assertEquals("test", r.split());
        assertEquals(testRows().size(), r.images());
        assertEquals(toy.result().test().testAcc(), r.accuracy(), 1e-12);
        long diagonal = 0;
        for (int a = 0; a < r.classes().size(); a++) {
            diagonal += r.confusion().get(a).get(a);
            assertEquals(r.classes().get(a).support(), r.confusion().get(a).stream().mapToLong(Long::longValue).sum());
        }
        assertEquals(r.accuracy(), diagonal / (double) r.images(), 1e-12);
        assertTrue(Files.size(toy.out().resolve("confusion-test.png")) > 1000);
    }

    @Test
    void predictInOneJvmGivesTheRightClassOfTrainingImagesAndAnErrorForACorruptOne() throws Exception {
        List<String> train = rows("train");
        List<String> args = new ArrayList<>(List.of("predict", "--model", toy.best().toString(), "--top-k", "2"));
        List<String> picked = List.of(train.get(0), train.get(train.size() / 2), train.get(train.size() - 1));
        picked.forEach(f -> args.add(images.resolve(f).toString()));
        args.add(images.resolve(CORRUPT).toString());
        String printed = stdoutOf(() -> assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0]))));
        List<String> lines = printed.lines().toList();
        assertEquals(4, lines.size(), printed);
        for (int i = 0; i < 3; i++) {
            String[] cols = lines.get(i).split("\t");
            assertEquals(images.resolve(picked.get(i)).toString(), cols[0]);
            assertTrue(cols[1].startsWith(label(picked.get(i)) + " "), "top-1 of " + picked.get(i) + ": " + cols[1]);
            assertEquals(2, cols[1].split(" \\| ").length, "top-2: " + cols[1]);
        }
        assertTrue(lines.get(3).contains("error: corrupt"), lines.get(3));
    }

    @Test
    void predictOnSparkWritesAParquetTableWithTheDocumentedSchema() throws Exception {
        java.nio.file.Path out = tmp.resolve("predictions");
        assertEquals(ExitCode.OK, Main.execute("predict", "--model", toy.best().toString(), "--out", out.toString(),
                "--csv-output", images.toString()));
        var spark = TestSpark.session();
        Dataset<Row> table = spark.read().parquet(out.resolve("predictions.parquet").toString());
        assertEquals(Arrays.stream(Prediction.SCHEMA.fields()).map(f -> f.name() + ":" + f.dataType()).toList(),
                Arrays.stream(table.schema().fields()).map((StructField f) -> f.name() + ":" + f.dataType()).toList());
        long files;
        try (var list = Files.list(images)) {   // not the .crc files Hadoop's local file system writes beside each
            files = list.filter(f -> !f.getFileName().toString().startsWith(".")).count();
        }
        assertEquals(files, table.count());
        table.createOrReplaceTempView("predictions");
        Row bad = spark.sql("SELECT * FROM predictions WHERE error IS NOT NULL").collectAsList().get(0);
        assertTrue(bad.<String>getAs("path").endsWith(CORRUPT) && bad.<String>getAs("error").startsWith("corrupt"));
        assertEquals(0, bad.getList(bad.fieldIndex("top_ids")).size());
        // Training images: the top-1 class is the label.
        List<Row> scored = spark.sql("SELECT path, top_ids[0] AS top1, size(top_probs) AS k FROM predictions "
                + "WHERE error IS NULL").collectAsList();
        int right = 0;
        int trainImages = 0;
        List<String> train = rows("train");
        for (Row row : scored) {
            assertEquals(3, row.<Integer>getAs("k"), "top-5 of 3 classes keeps 3");
            String name = row.<String>getAs("path").substring(row.<String>getAs("path").lastIndexOf('/') + 1);
            if (train.contains(name)) {
                trainImages++;
                right += row.<String>getAs("top1").equals(label(name)) ? 1 : 0;
            }
        }
        assertEquals(train.size(), trainImages);
        assertTrue(right >= 0.95 * trainImages, right + " of " + trainImages + " training images right");
        try (var csvs = Files.list(out.resolve("predictions.csv"))) {
            java.nio.file.Path part = csvs.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
            List<String> lines = Files.readAllLines(part);
            assertEquals("path,top1_id,top1_name,top1_prob,top_ids,top_names,top_probs,error", lines.get(0));
            assertEquals(files + 1, lines.size());
        }
    }

    @Test
    void predictFromACsvScoresTheRowsOfOneSplit() throws Exception {
        java.nio.file.Path out = tmp.resolve("from-csv");
        assertEquals(ExitCode.OK, Main.execute("predict", "--model", toy.best().toString(), "--csv", csv.toString(),
                "--images", images.toString(), "--split", "test", "--out", out.toString()));
        Dataset<Row> table = TestSpark.session().read().parquet(out.resolve("predictions.parquet").toString());
        assertEquals(testRows().size() + 2, table.count());
        assertEquals(1, table.where("error IS NOT NULL").count(), "the corrupt file; an unknown class is still an image");
    }

    @Test
    void predictRefusesUnclearRequests() {
        assertEquals(ExitCode.USAGE, Main.execute("predict", "--model", toy.best().toString()));
        assertEquals(ExitCode.USAGE, Main.execute("predict", "--model", tmp.resolve("none.zip").toString(),
                images.resolve(CORRUPT).toString()));
        assertEquals(ExitCode.USAGE, Main.execute("predict", "--model", toy.best().toString(), "--local-limit", "2",
                images.toString()));
    }

    @Test
    void summaryOfASavedModelPrintsItsProvenanceAndLayers() throws Exception {
        String printed = stdoutOf(() -> assertEquals(ExitCode.OK,
                Main.execute("summary", "--model", toy.best().toString())));
        String sha = FileDigest.sha256(toy.data().csv().toUri().toString(), new Configuration());
        for (String expected : List.of("job version", "git commit", "CSV SHA-256      " + sha, "CSV rows", "DL4J",
                "ND4J backend", "Spark            3.5.9", "Java             " + System.getProperty("java.version"),
                "application id", toy.data().csv().toUri().getPath(), "n02091244", "test: loss", "metrics at epoch",
                "conv1", "total parameters")) {
            assertTrue(printed.contains(expected), "'" + expected + "' in:\n" + printed);
        }
        assertNotNull(io.sparkalex.train.SavedModels.load(toy.best().toString(), new Configuration()).state().test());
    }

    private static String stdoutOf(Runnable run) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
