package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.data.SampleDataGenerator;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code sample-data}: writes a small learnable data set in the reference script's layout. */
@Command(name = "sample-data", mixinStandardHelpOptions = true,
        description = {"Write a sample data set in the reference script's layout: <out>/my_imagenet/*.JPEG|png,",
                "<out>/my_imagenet.csv, <out>/synset_words.txt. Classes differ by shape, hue and texture, with noise."})
final class SampleDataCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Target directory (any Hadoop URI).")
    String out;

    @Option(names = "--classes", defaultValue = "10", description = "Number of classes, 2-10 (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--per-class", defaultValue = "100",
            description = "Images per class, split 70/10/20 into train/val/test (default: ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--seed", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        SampleDataGenerator generator;
        try {
            generator = new SampleDataGenerator(classes, perClass, seed);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
        int n = generator.write(out, new Configuration());
        System.out.printf("wrote %d images, %s and %s under %s%n", n, SampleDataGenerator.CSV,
                SampleDataGenerator.SYNSETS, out);
        return ExitCode.OK;
    }
}
