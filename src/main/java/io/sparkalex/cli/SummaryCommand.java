package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.model.AlexNet;
import io.sparkalex.model.ModelSummary;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.TestMetrics;
import io.sparkalex.storage.TrainingState;
import io.sparkalex.train.NetworkFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Prints the network's layers, output shapes and parameter counts: for the effective config, or
 * with {@code --model} for a saved model, together with its provenance, classes and metrics (read
 * from the zip without loading the parameters).
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Print AlexNet's layers, output shapes and parameter count.",
                "With --model: a saved model's provenance, classes, final metrics and layers."})
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--num-classes", paramLabel = "N", defaultValue = "10",
            description = "Output classes (default: ${DEFAULT-VALUE}).")
    int numClasses;

    @Option(names = "--model", paramLabel = "URI", description = "A model zip (e.g. <out>/best.zip) to describe.")
    String model;

    @Mixin
    ConfigOptions config;

    /** Where the summary goes (tests read it). */
    PrintStream stdout = System.out;

    @Override
    public Integer call() throws IOException {
        if (model != null) {
            describeModel();
            return ExitCode.OK;
        }
        if (numClasses < 2) {
            throw new ConfigError("--num-classes must be at least 2 (got " + numClasses + ")");
        }
        JobConfig c = config.load(new Configuration());
        var conf = AlexNet.configuration(NetworkFactory.spec(c, numClasses));
        stdout.print(ModelSummary.of(conf, c.imageSize).render());
        return ExitCode.OK;
    }

    private void describeModel() throws IOException {
        Path path = new Path(model);
        FileSystem fs = path.getFileSystem(new Configuration());
        if (!fs.exists(path)) {
            throw new ConfigError("--model " + model + " does not exist");
        }
        TrainingState s;
        String layers;
        try {
            s = CheckpointStore.readState(fs, path);
            layers = CheckpointStore.readConfiguration(fs, path);
        } catch (IOException e) {
            throw new ConfigError("--model " + model + " cannot be read as a sparkalex model: " + e.getMessage());
        }
        JobConfig c = JobConfig.fromJson(s.configJson());
        stdout.printf(Locale.ROOT, "model: %s%n%nprovenance:%n", model);
        if (s.provenance() != null) {
            s.provenance().describe().forEach((k, v) -> stdout.printf(Locale.ROOT, "  %-16s %s%n", k, v));
        }
        stdout.printf(Locale.ROOT, "%nclasses (%d):%n", s.classes().size());
        for (String id : s.classes()) {
            stdout.printf(Locale.ROOT, "  %-12s %s%n", id, s.classNames() == null ? id : s.classNames().getOrDefault(id, id));
        }
        stdout.printf(Locale.ROOT, "%ntrained: epoch %d of %d; best epoch %d (val loss %.4f)%n", s.epoch(), c.epochs,
                s.bestEpoch(), s.bestValLoss());
        EpochMetrics m = s.metrics();
        if (m != null) {
            stdout.printf(Locale.ROOT, "metrics at epoch %d: train loss %.4f acc %.4f | val loss %.4f acc %.4f%s%n",
                    m.epoch(), m.trainLoss(), m.trainAcc(), m.valLoss(), m.valAcc(),
                    m.valTop5() == null ? "" : String.format(Locale.ROOT, " top5 %.4f", m.valTop5()));
        }
        TestMetrics t = s.test();
        if (t != null) {
            stdout.printf(Locale.ROOT, "test: loss %.4f acc %.4f%s on %d images%n", t.testLoss(), t.testAcc(),
                    t.testTop5() == null ? "" : String.format(Locale.ROOT, " top5 %.4f", t.testTop5()), t.testImages());
        }
        stdout.printf(Locale.ROOT, "%nconfiguration:%n%s%n%nlayers:%n", c.describe().stripTrailing());
        stdout.print(ModelSummary.of(MultiLayerConfiguration.fromJson(layers), c.imageSize).render());
    }
}
