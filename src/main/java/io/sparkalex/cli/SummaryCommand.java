package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.model.AlexNet;
import io.sparkalex.model.ModelSummary;
import io.sparkalex.train.NetworkFactory;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** Prints the network's layers, output shapes and parameter counts for the effective config. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print AlexNet's layers, output shapes and parameter count.")
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--num-classes", paramLabel = "N", defaultValue = "10",
            description = "Output classes (default: ${DEFAULT-VALUE}).")
    int numClasses;

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() {
        if (numClasses < 2) {
            throw new ConfigError("--num-classes must be at least 2 (got " + numClasses + ")");
        }
        JobConfig c = config.load(new Configuration());
        var conf = AlexNet.configuration(NetworkFactory.spec(c, numClasses));
        System.out.print(ModelSummary.of(conf, c.imageSize).render());
        return ExitCode.OK;
    }
}
