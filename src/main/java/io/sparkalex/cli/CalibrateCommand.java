package io.sparkalex.cli;

import io.sparkalex.plan.Calibration;
import io.sparkalex.storage.Uris;
import io.sparkalex.train.CalibrationRuns;
import io.sparkalex.train.Locations;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code calibrate}: short training runs on this cluster and data, measured for {@code plan}. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Measure this cluster for 'plan': a few averaging rounds per frequency, trained on a sample of",
                "the CSV through the same job as 'train'; writes <out>/calibration.json. Re-run it per executor shape."})
final class CalibrateCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(CalibrateCommand.class);

    @Option(names = "--csv", required = true, paramLabel = "URI", description = "The data's CSV, as for train.")
    String csv;

    @Option(names = "--images", required = true, paramLabel = "URI", description = "Image root, as for train.")
    String images;

    @Option(names = "--out", required = true, paramLabel = "URI",
            description = "Where the runs, their samples and calibration.json go (one folder per frequency).")
    String out;

    @Option(names = "--synsets", paramLabel = "URI", description = "synset_words.txt, as for train.")
    String synsets;

    @Option(names = "--frequencies", split = ",", defaultValue = "1,10", paramLabel = "F,F",
            description = "Averaging frequencies to measure (default: ${DEFAULT-VALUE}); f=1 measures the round's fixed cost.")
    List<Integer> frequencies;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "N",
            description = "Averaging rounds per epoch of each run (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--min-minibatches", defaultValue = "20", paramLabel = "N",
            description = "Minibatches per worker per epoch, at least: more rounds for small frequencies (default: ${DEFAULT-VALUE}).")
    int minMinibatches;

    @Option(names = "--epochs", defaultValue = "2", paramLabel = "N",
            description = "Epochs per run, at least 2: the first epoch's start is measured against the next (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--passes", defaultValue = "2", paramLabel = "N",
            description = "Runs per frequency, the frequencies in turn each pass, pooled: one run is at the mercy of "
                    + "the machine's slow spells (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--val-minibatches", defaultValue = "4", paramLabel = "N",
            description = "Val sample per worker, in minibatches (default: ${DEFAULT-VALUE}).")
    int valMinibatches;

    @Option(names = "--warmup-minibatches", defaultValue = "200", paramLabel = "N",
            description = "First train, unmeasured, until each worker fitted N minibatches or --warmup-seconds "
                    + "passed, so that the runs measure warm JVMs as a long run has them (default: ${DEFAULT-VALUE}; 0: none).")
    int warmupMinibatches;

    @Option(names = "--warmup-seconds", defaultValue = "300", paramLabel = "S",
            description = "The warm-up's time limit (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        if (epochs < 2 || rounds < 1 || passes < 1 || minMinibatches < 1 || valMinibatches < 1 || warmupMinibatches < 0
                || warmupSeconds < 0 || frequencies.isEmpty()
                || frequencies.stream().anyMatch(f -> f < 1)) {
            throw new io.sparkalex.config.ConfigError("calibrate needs --epochs >= 2, --rounds, --min-minibatches, "
                    + "--passes, --val-minibatches and frequencies >= 1");
        }
        return JobSession.run("sparkalex-calibrate", spark -> {
            CalibrationRuns runs = new CalibrationRuns(spark, keys -> config.load(spark.sparkContext().hadoopConfiguration(),
                    keys), new Locations(csv, images, out, synsets));
            Calibration c = runs.run(new CalibrationRuns.Settings(List.copyOf(frequencies), rounds, minMinibatches, epochs, passes,
                    valMinibatches,
                    warmupMinibatches, warmupSeconds));
            Calibration.Terms t = c.terms();
            log.info(String.format(Locale.ROOT, "calibrated %d workers x %d cores: t_b %.3f s per minibatch, round fixed "
                            + "cost %.3f s, transfers %.1f MB per worker at %.2f GB/s, epoch extra %.2f s (first epoch +%.2f s), "
                            + "eval %.4f s per image per worker, checkpoint %.2f s per epoch, cache %.1f images/s per core; "
                            + "wrote %s", c.cluster().workers(), c.cluster().coresPerWorker(), t.minibatchSeconds(),
                    t.roundFixedSeconds(), t.transferBytesPerWorker() / 1e6, t.transferBytesPerSecond() / 1e9,
                    t.epochExtraSeconds(), t.firstEpochExtraSeconds(), t.evalSecondsPerImage(),
                    t.betweenEpochsSeconds(), t.cacheImagesPerSecondPerCore(),
                    Uris.redact(new Path(out, CalibrationRuns.FILE).toString())));
            return ExitCode.OK;
        });
    }
}
