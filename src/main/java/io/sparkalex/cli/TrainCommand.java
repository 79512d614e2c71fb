package io.sparkalex.cli;

import io.sparkalex.config.JobConfig;
import io.sparkalex.train.Locations;
import io.sparkalex.train.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.apache.spark.SparkException;

/** {@code train}: the Spark training job. Rerunning it on the same --out resumes. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train AlexNet with Spark parameter averaging.",
                "Rerun the same command to resume from the last completed epoch in --out."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--csv", required = true, paramLabel = "URI",
            description = "CSV with filename, split (train/val/test) and optional label columns.")
    String csv;

    @Option(names = "--images", required = true, paramLabel = "URI",
            description = "Image root; the CSV's file names are resolved under it.")
    String images;

    @Option(names = "--out", required = true, paramLabel = "URI",
            description = "Output directory: latest.zip, best.zip, metrics.jsonl/.csv, data-report.json.")
    String out;

    @Option(names = "--synsets", paramLabel = "URI",
            description = "synset_words.txt with class names (default: beside the CSV, if present).")
    String synsets;

    @Option(names = "--fresh", description = "Ignore checkpoints in --out and start from epoch 1.")
    boolean fresh;

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        return JobSession.run("sparkalex-train", spark -> {
            JobConfig c = config.load(spark.sparkContext().hadoopConfiguration());
            TrainingJob job = new TrainingJob(spark, c, new Locations(csv, images, out, synsets), fresh);
            try {
                job.run();
            } catch (Exception | OutOfMemoryError e) {
                if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof SparkException
                        || e instanceof OutOfMemoryError) {
                    // Storage, the cluster or memory failed after training started: a rerun resumes.
                    throw new TrainingFailure(e);
                }
                throw e;
            }
            // Anything else (ConfigError, DataError, a held lease, a bug) keeps its own exit code.
            return ExitCode.OK;
        });
    }
}
