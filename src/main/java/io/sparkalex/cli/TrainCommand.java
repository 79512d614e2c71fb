package io.sparkalex.cli;

import io.sparkalex.config.JobConfig;
import io.sparkalex.train.Locations;
import io.sparkalex.train.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.sparkalex.train.RunOptions;

import java.util.concurrent.Callable;

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
            description = "Output directory: latest.zip, best.zip, metrics.jsonl/.csv, data-report.json. "
                    + "{date} in it is the day the run starts (UTC, yyyy-mm-dd), for schedulers that cannot "
                    + "put a date in a flag (Kubernetes' ScheduledSparkApplication).")
    String out;

    @Option(names = "--synsets", paramLabel = "URI",
            description = "synset_words.txt with class names (default: beside the CSV, if present).")
    String synsets;

    @Option(names = "--fresh", description = "Ignore checkpoints in --out and start from epoch 1.")
    boolean fresh;

    @Option(names = "--warm-start", paramLabel = "MODEL_URI",
            description = "Start a new run from this model's weights (same classes; fresh optimiser state).")
    String warmStart;

    @Option(names = "--warm-start-optional",
            description = "With --warm-start: a missing model means random weights (a schedule's first run).")
    boolean warmStartOptional;

    @Option(names = "--warm-start-reinit-output",
            description = "With --warm-start: when the classes changed, start the output layer afresh.")
    boolean reinitOutput;

    @Option(names = "--promote-to", paramLabel = "URI",
            description = "Copy best.zip to URI/model.zip when it beats the model there on promote_metric.")
    String promoteTo;

    @Option(names = "--drift-reference", paramLabel = "MODEL_URI",
            description = "Model whose training data the drift check compares with (default: the --promote-to model).")
    String driftReference;

    @Option(names = "--allow-parallelism-change",
            description = "Resume even though workers, batch_size or averaging_frequency differ from the "
                    + "checkpoint's (the run then no longer repeats an uninterrupted one).")
    boolean allowParallelismChange;

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        return JobSession.run("sparkalex-train", spark -> {
            JobConfig c = config.load(spark.sparkContext().hadoopConfiguration());
            RunOptions options = new RunOptions(spark.sparkContext().appName(), warmStart, warmStartOptional,
                    reinitOutput, promoteTo, driftReference, ExitCode::of, allowParallelismChange);
            TrainingJob job = new TrainingJob(spark, c, new Locations(csv, images, dated(out, java.time.LocalDate.now(
                    java.time.ZoneOffset.UTC)), synsets), fresh, options);
            try {
                job.run();
            } catch (Exception | OutOfMemoryError e) {
                if (ExitCode.isTrainingFailure(e)) {
                    throw new TrainingFailure(e);
                }
                throw e;
            }
            // Anything else (ConfigError, DataError, a held lease, a bug) keeps its own exit code.
            return ExitCode.OK;
        });
    }

    /** {@code out} with {@code {date}} replaced by {@code day} (ISO, yyyy-mm-dd). */
    static String dated(String out, java.time.LocalDate day) {
        return out.replace("{date}", day.toString());
    }
}
