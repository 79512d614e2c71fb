package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.plan.Calibration;
import io.sparkalex.plan.CalibrationPool;
import io.sparkalex.plan.Plan;
import io.sparkalex.plan.Planner;
import io.sparkalex.plan.RunDescription;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code plan}: a run's speed, time and node-hours from a calibration file, before paying for it. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Predict a training run from a calibration (see 'calibrate'): images/s, time per epoch, total",
                "wall time, node-hours, efficiency against one worker, where the time goes, and where adding",
                "workers stops paying. No Spark: arithmetic on the calibration file (docs/planning.md)."})
final class PlanCommand implements Callable<Integer> {
    /** ImageNet-1k (ILSVRC-2012): its train and val splits, the paper's 90 epochs. */
    static final long IMAGENET_TRAIN = 1_281_167;
    static final long IMAGENET_VAL = 50_000;

    @Option(names = "--calibration", required = true, split = ",", paramLabel = "URI",
            description = "A calibration.json; several (comma-separated) of one layout are pooled, each term their "
                    + "median: calibrations at different hours average out the machine's slow and fast spells.")
    List<String> calibrations;

    @Option(names = "--imagenet", description = "ImageNet-1k: 1,281,167 training and 50,000 val images, 90 epochs "
            + "(each can still be set).")
    boolean imagenet;

    @Option(names = "--train-images", paramLabel = "N") Long trainImages;
    @Option(names = "--val-images", paramLabel = "N") Long valImages;
    @Option(names = "--test-images", defaultValue = "0", paramLabel = "N") long testImages;
    @Option(names = "--epochs", paramLabel = "N") Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "Minibatch per worker (default: the calibration's).")
    Integer batch;

    @Option(names = "--averaging-frequency", defaultValue = "10", paramLabel = "F",
            description = "Minibatches per worker between averages (default: ${DEFAULT-VALUE}).")
    int frequency;

    @Option(names = "--workers", required = true, paramLabel = "W", description = "Replicas trained.")
    int workers;

    @Option(names = "--cores-per-worker", paramLabel = "N", description = "Default: the calibration's.")
    Integer coresPerWorker;

    @Option(names = "--cores-per-node", paramLabel = "N",
            description = "The nodes' cores; workers share nodes (default: one worker per node).")
    Integer coresPerNode;

    @Option(names = "--driver-node", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Count a node for the driver in node-hours (default: yes; --no-driver-node: no).")
    boolean driverNode;

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "Default: the calibration's.")
    String device;

    @Option(names = "--link-gbps", paramLabel = "G", description = "The driver's link (default: as calibrated).")
    Double linkGbps;

    @Option(names = "--minibatch-seconds", paramLabel = "S",
            description = "t_b of the target machine when it was not calibrated (e.g. a GPU's).")
    Double minibatchSeconds;

    @Option(names = "--range", split = ",", paramLabel = "W,W",
            description = "Worker counts for the scaling table (default: powers of two up to 4 x --workers).")
    List<Integer> range;

    @Option(names = "--min-gain", defaultValue = "0.5", paramLabel = "G",
            description = "Adding workers pays while each gains this share of one worker's images/s (default: ${DEFAULT-VALUE}).")
    double minGain;

    @Option(names = "--json", paramLabel = "URI", description = "Also write the plan as JSON here ('-': print it).")
    String json;

    /** Where the plan is printed (tests read it). */
    PrintStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
        Configuration hadoop = new Configuration();
        List<Calibration> read = new ArrayList<>();
        for (String calibration : calibrations) {
            Path file = new Path(calibration);
            try {
                read.add(Calibration.fromJson(AtomicFiles.readString(AtomicFiles.fileSystem(file, hadoop), file)));
            } catch (java.io.IOException | RuntimeException e) {
                throw new ConfigError("cannot read --calibration " + calibration + ": " + e.getMessage());
            }
        }
        Calibration cal;
        try {
            cal = CalibrationPool.of(read);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
        RunDescription run = describe(cal);
        Plan plan;
        try {
            plan = new Planner(cal, String.join(", ", calibrations) + " (" + cal.date() + ", " + cal.cluster().workers() + " x "
                    + cal.cluster().coresPerWorker() + " " + cal.cluster().device() + " cores on " + cal.machine().cpu()
                    + ")").plan(run, range != null ? range : powersOfTwo(4 * workers), minGain);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
        stdout.print(plan.table());
        if ("-".equals(json)) {
            stdout.println(Json.pretty(plan));
        } else if (json != null) {
            Path target = new Path(json);
            FileSystem fs = AtomicFiles.fileSystem(target, hadoop);
            AtomicFiles.writeString(fs, target, Json.pretty(plan) + "\n");
        }
        return ExitCode.OK;
    }

    private RunDescription describe(Calibration cal) {
        long train = trainImages != null ? trainImages : imagenet ? IMAGENET_TRAIN : -1;
        long val = valImages != null ? valImages : imagenet ? IMAGENET_VAL : 0;
        int e = epochs != null ? epochs : imagenet ? 90 : -1;
        int cores = coresPerWorker != null ? coresPerWorker : cal.cluster().coresPerWorker();
        if (train < 1 || e < 1 || workers < 1 || cores < 1 || frequency < 1 || val < 0 || testImages < 0
                || (batch != null && batch < 1) || !(minGain > 0)) {
            throw new ConfigError("plan needs --train-images and --epochs (or --imagenet), and positive --workers, "
                    + "--cores-per-worker, --batch, --averaging-frequency and --min-gain");
        }
        return new RunDescription(train, val, testImages, e, batch != null ? batch : cal.network().batchSize(), frequency,
                workers, cores, coresPerNode != null ? coresPerNode : cores, driverNode,
                device != null ? device : cal.cluster().device(), linkGbps != null ? linkGbps : Double.NaN,
                minibatchSeconds != null ? minibatchSeconds : Double.NaN);
    }

    static List<Integer> powersOfTwo(int upTo) {
        List<Integer> r = new ArrayList<>();
        for (int w = 1; w <= Math.max(1, upTo); w *= 2) {
            r.add(w);
        }
        return r;
    }
}
