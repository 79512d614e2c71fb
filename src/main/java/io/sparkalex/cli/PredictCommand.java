package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.data.DataError;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.model.EvalCrops;
import io.sparkalex.predict.BulkPrediction;
import io.sparkalex.predict.ImageInputs;
import io.sparkalex.predict.Prediction;
import io.sparkalex.predict.Predictor;
import io.sparkalex.train.SavedModels;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code predict}: top-k classes of image files with a saved model. A few files named on the
 * command line are scored in this JVM and printed; many (or a CSV, or whenever --out is given)
 * are scored on Spark and written as a Parquet table.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict the top classes of images with a saved model.",
                "Up to --local-limit files without --out: scored here and printed. Otherwise, and for --csv: "
                        + "scored on Spark into <out>/predictions.parquet (and predictions.csv with --csv-output)."})
final class PredictCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(PredictCommand.class);

    @Option(names = "--model", required = true, paramLabel = "URI", description = "A model zip, e.g. <out>/best.zip.")
    String model;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Image files or folders (searched recursively).")
    List<String> paths = new ArrayList<>();

    @Option(names = "--csv", paramLabel = "URI", description = "A CSV of images (its 'filename' column) instead of PATHs.")
    String csv;

    @Option(names = "--images", paramLabel = "URI", description = "Image root of the --csv file names.")
    String images;

    @Option(names = "--split", paramLabel = "NAME", description = "Only the --csv rows of this split.")
    String split;

    @Option(names = "--out", paramLabel = "URI", description = "Output folder for the Parquet (and CSV) table.")
    String out;

    @Option(names = "--csv-output", description = "Also write <out>/predictions.csv (one file, lists joined by ';').")
    boolean csvOutput;

    @Option(names = "--top-k", defaultValue = "5", paramLabel = "K", description = "Classes kept per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--crops", paramLabel = "N", description = "1 or 10; default: the model's eval_crops.")
    Integer crops;

    @Option(names = "--local-limit", defaultValue = "64", paramLabel = "N",
            description = "At most this many files are scored without Spark when --out is not given (default: ${DEFAULT-VALUE}).")
    int localLimit;

    /** Where printed predictions go (tests read it). */
    PrintStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
        check();
        if (csv == null && out == null) {
            Configuration hadoop = new Configuration();
            List<String> files = ImageInputs.list(paths, hadoop);
            if (files.size() > localLimit) {
                throw new ConfigError(files.size() + " images is more than --local-limit " + localLimit
                        + ": give --out DIR to score them on Spark into a Parquet table");
            }
            SavedModel saved = SavedModels.load(model, hadoop).requireFinite();
            List<Predictor.Input> inputs = new ArrayList<>();
            for (String f : files) {
                Path p = new Path(f);
                inputs.add(Predictor.Input.at(f, io.sparkalex.data.ImageFiles.fileSystem(p, hadoop), p));
            }
            print(new Predictor(saved.network(), settings(saved)).predict(inputs.iterator()));
            return ExitCode.OK;
        }
        return JobSession.run("sparkalex-predict", spark -> {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            SavedModel saved = SavedModels.load(model, hadoop).requireFinite();
            Dataset<Row> inputs = csv != null ? ImageInputs.ofCsv(spark, csv, images, split)
                    : ImageInputs.ofFiles(spark, ImageInputs.list(paths, hadoop));
            BulkPrediction.Counts counts = BulkPrediction.run(inputs, saved.network(), settings(saved), out, csvOutput);
            if (counts.images() == 0) {
                throw new DataError("no images to predict: " + (csv != null ? "CSV " + csv + " has no rows"
                        + (split == null ? "" : " in split " + split) : "no image files in " + paths));
            }
            log.info("predicted {} images ({} with an error) into {}", counts.images(), counts.errors(),
                    io.sparkalex.storage.Uris.redact(new Path(out, BulkPrediction.PARQUET).toString()));
            return ExitCode.OK;
        });
    }

    private void check() {
        if (csv == null && paths.isEmpty()) {
            throw new ConfigError("name image files or folders, or give --csv");
        }
        if (csv != null && !paths.isEmpty()) {
            throw new ConfigError("give either PATHs or --csv, not both");
        }
        if (csv != null && images == null) {
            throw new ConfigError("--csv needs --images, the root its file names are under");
        }
        if (csv != null && out == null) {
            throw new ConfigError("--csv needs --out: a CSV's images are scored on Spark into a table");
        }
        if (csvOutput && out == null) {
            throw new ConfigError("--csv-output needs --out");
        }
        if (topK < 1) {
            throw new ConfigError("--top-k must be at least 1 (got " + topK + ")");
        }
        if (crops != null && !EvalCrops.allowed(crops)) {
            throw new ConfigError(EvalCrops.refusal("--crops", crops));
        }
    }

    private Predictor.Settings settings(SavedModel saved) {
        return Predictor.Settings.of(saved, crops != null ? crops : saved.input().evalCrops(), topK);
    }

    private void print(List<Prediction> predictions) throws IOException {
        for (Prediction p : predictions) {
            if (!p.ok()) {
                stdout.printf(Locale.ROOT, "%s\terror: %s%n", p.path(), p.error());
                continue;
            }
            StringBuilder line = new StringBuilder(p.path());
            for (int i = 0; i < p.topIds().size(); i++) {
                line.append(String.format(Locale.ROOT, "%s%s %s %.4f", i == 0 ? "\t" : " | ", p.topIds().get(i),
                        p.topNames().get(i), p.topProbs().get(i)));
            }
            stdout.println(line);
        }
        stdout.flush();
    }
}
