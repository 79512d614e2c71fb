package io.sparkalex.train;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.data.ImageCache;
import io.sparkalex.data.SplitTable;
import io.sparkalex.monitor.JobGroupClock;
import io.sparkalex.data.Synsets;
import io.sparkalex.model.AlexNet;
import io.sparkalex.model.ModelSummary;
import io.sparkalex.plan.Calibration;
import io.sparkalex.plan.CalibrationFit;
import io.sparkalex.plan.MachineFacts;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Json;
import io.sparkalex.storage.MetricsLog;
import io.sparkalex.storage.Uris;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.apache.spark.sql.functions.rand;

/**
 * {@code calibrate}: short, bounded training runs on the user's own cluster and data, one per
 * averaging frequency, through the same {@link TrainingJob} as {@code train} (the image cache,
 * the exchange, evaluation, checkpoints), each on a random sample of the CSV sized to
 * {@code rounds} averaging rounds per epoch; then the model's terms fitted to what they wrote
 * ({@link CalibrationFit}) and {@value #FILE} written in the output directory, which calibrate
 * owns: a rerun replaces its runs.
 */
public final class CalibrationRuns {
    private static final Logger log = LoggerFactory.getLogger(CalibrationRuns.class);
    public static final String FILE = "calibration.json";

    /**
     * @param frequencies the averaging frequencies to measure (f=1 gives many rounds cheaply: the round's fixed cost)
     * @param rounds      averaging rounds per epoch of each run, at least
     * @param minMinibatches minibatches per worker per epoch, at least: small frequencies get more
     *                    rounds (each f=1 round is one minibatch, too short a sample of t_b alone)
     * @param epochs      epochs per run (2 or more: the first epoch's extra is the first less a later one)
     * @param passes      runs per frequency, the frequencies taken in turn each pass: a run is a few
     *                    seconds to minutes of a machine whose speed wanders by 10-20% between such
     *                    spells, and one run per frequency put a spell's speed into one frequency's terms
     * @param valMinibatchesPerWorker the val sample, in minibatches per worker
     * @param warmupMinibatches first train the largest frequency's sample, not measured, until each
     *                    worker fitted this many minibatches (0: no warm-up) or {@code warmupSeconds}
     *                    passed: the executors' JIT warms (a worker's Java side, the image decoding
     *                    and the exchange's arithmetic, keeps getting faster for a hundred or more
     *                    minibatches), as it is for most of a long run
     */
    public record Settings(List<Integer> frequencies, int rounds, int minMinibatches, int epochs, int passes,
                           int valMinibatchesPerWorker, int warmupMinibatches, int warmupSeconds) {
        /** Rounds per epoch of the run at frequency {@code f}. */
        int roundsAt(int f) {
            return Math.max(rounds, (minMinibatches + f - 1) / f);
        }
    }

    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final Function<Map<String, String>, JobConfig> configs;
    private final Locations where;

    /** @param configs the job's configuration with these keys set on top of the user's */
    public CalibrationRuns(SparkSession spark, Function<Map<String, String>, JobConfig> configs, Locations where) {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.configs = configs;
        this.where = where;
    }

    public Calibration run(Settings settings) throws IOException {
        JobConfig base = configs.apply(Map.of());
        int workers = WorkerSlots.resolve(sc.sc(), base);
        int cores = sc.isLocal() ? (base.threadsPerWorker > 0 ? base.threadsPerWorker
                : Math.max(1, Runtime.getRuntime().availableProcessors() / workers))
                : sc.getConf().getInt("spark.task.cpus", 1);
        SplitTable table = SplitTable.read(spark, where.csv());
        ClassIndex classes = table.classes(Synsets.load(where.synsets(), where.csv(), sc.hadoopConfiguration()));
        int maxF = settings.frequencies().stream().mapToInt(Integer::intValue).max().orElseThrow();
        long perRoundAndF = (long) workers * base.batchSize;
        long most = settings.frequencies().stream().mapToLong(f -> perRoundAndF * f * settings.roundsAt(f)).max()
                .orElseThrow();
        List<Row> train = sample(table, "train", most, base.seed);
        List<Row> val = sample(table, "val", (long) workers * base.batchSize * settings.valMinibatchesPerWorker(), base.seed);
        log.info("calibrating on {} workers x {} cores: averaging frequencies {} in {} passes, {} rounds per epoch (at "
                        + "least {} minibatches per worker), {} epochs per run, up to {} training and {} val images sampled "
                        + "from {}", workers, cores, settings.frequencies(), settings.passes(), settings.rounds(),
                settings.minMinibatches(), settings.epochs(),
                train.size(), val.size(),
                Uris.redact(where.csv()));

        Path out = new Path(where.out());
        FileSystem fs = AtomicFiles.fileSystem(out, sc.hadoopConfiguration());
        List<CalibrationFit.Measured> measured = new ArrayList<>();
        if (settings.warmupMinibatches() > 0) {
            warmUp(fs, out, maxF, settings, workers, base.batchSize,
                    train.subList(0, (int) Math.min(train.size(), perRoundAndF * maxF * settings.roundsAt(maxF))), val);
        }
        for (int pass = 1; pass <= settings.passes(); pass++) {
            for (int f : settings.frequencies()) {
                List<Row> trainF = train.subList(0, (int) Math.min(train.size(), perRoundAndF * f * settings.roundsAt(f)));
                String name = "f" + f + (pass > 1 ? "-" + pass : "");
                measured.add(train(fs, out, name, f, settings.epochs(), workers, trainF, val, false));
                log.info("calibration run f={} (pass {} of {}) done in {}", f, pass, settings.passes(),
                        Uris.redact(new Path(out, name).toString()));
            }
        }
        CalibrationFit.Fitted fitted = CalibrationFit.fit(measured, workers * cores);
        Calibration calibration = new Calibration(Calibration.FORMAT, Instant.now().toString(), MachineFacts.here(),
                MachineFacts.versions(spark.version()),
                new Calibration.Cluster(Uris.redact(sc.master()), workers, cores, MachineFacts.device()),
                new Calibration.Network(base.imageSize, base.widthFactor, ModelSummary.of(AlexNet.configuration(
                        NetworkFactory.spec(base, classes.size())), base.imageSize).totalParams(), base.batchSize,
                        base.parameterTransfer.name().toLowerCase(), base.exchangeRelay.name().toLowerCase(),
                        base.evalCrops),
                fitted.terms(), fitted.runs());
        AtomicFiles.writeString(fs, new Path(out, FILE), calibration.toJson());
        return calibration;
    }

    /**
     * Trains the sample unmeasured, one epoch, then as many more (resuming the same run) as the
     * minibatch count asks and the time allows at the first epoch's pace.
     */
    private void warmUp(FileSystem fs, Path out, int f, Settings settings, int workers, int batch, List<Row> train,
                        List<Row> val) throws IOException {
        long perEpoch = Math.max(1, (train.size() + batch - 1) / batch / workers);
        long epochs = Math.max(1, (settings.warmupMinibatches() + perEpoch - 1) / perEpoch);
        long start = System.nanoTime();
        log.info("warming up, not measured: the f={} sample for {} epochs ({} minibatches per worker) or {} s", f,
                epochs, epochs * perEpoch, settings.warmupSeconds());
        train(fs, out, "warmup", f, 1, workers, train, val, false);
        double first = (System.nanoTime() - start) / 1e9;
        long more = Math.min(epochs - 1, (long) Math.floor((settings.warmupSeconds() - first) / Math.max(first, 1e-9)));
        if (more > 0) {
            train(fs, out, "warmup", f, (int) (1 + more), workers, train, val, true);
        }
        fs.delete(new Path(out, "warmup"), true);
    }

    /**
     * One run: its sample's CSV, the job (the image cache's build timed from its Spark jobs), what it
     * measured; its models and image cache are removed (calibrate keeps metrics, rounds, reports).
     * {@code resume}: go on from the run's last epoch (the warm-up) instead of starting it afresh.
     */
    private CalibrationFit.Measured train(FileSystem fs, Path out, String name, int f, int epochs, int workers,
                                          List<Row> train, List<Row> val, boolean resume) throws IOException {
        Path csv = new Path(out, "_samples/" + name + ".csv");
        AtomicFiles.writeString(fs, csv, SampleCsv.of(train, val));
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("averaging_frequency", Integer.toString(f));
        keys.put("epochs", Integer.toString(epochs));
        keys.put("workers", Integer.toString(workers));
        keys.put("train_eval_fraction", "0");
        keys.put("patience", "0");
        keys.put("cache_dir", "");
        JobConfig config = configs.apply(keys);
        Path runOut = new Path(out, name);
        if (!resume) {
            fs.delete(runOut, true);   // an earlier calibration's run: calibrate owns --out
        }
        long start = System.nanoTime();
        try (JobGroupClock cache = JobGroupClock.start(sc.sc(), ImageCache.JOB_GROUP)) {
            new TrainingJob(spark, config, new Locations(csv.toString(), where.images(), runOut.toString(),
                    where.synsets()), false).run();
            double runSeconds = (System.nanoTime() - start) / 1e9;
            CalibrationFit.Measured m = new CalibrationFit.Measured(f, workers, config.batchSize, train.size(),
                    val.size(), config.evalCrops, rounds(fs, runOut), epochs(fs, runOut), train.size() + val.size(),
                    cache.seconds(), runSeconds);
            if (!name.equals("warmup")) {   // the warm-up may resume from its checkpoint and cache
                for (String bulky : List.of(CheckpointStore.LATEST, CheckpointStore.BEST, "_cache")) {
                    fs.delete(new Path(runOut, bulky), true);
                }
            }
            return m;
        }
    }

    /** Up to {@code n} of a split's rows in a seeded random order. */
    private static List<Row> sample(SplitTable table, String split, long n, long seed) {
        return n <= 0 ? List.of() : table.split(split).orderBy(rand(seed)).limit((int) Math.min(n, Integer.MAX_VALUE))
                .select(SplitTable.FILENAME, SplitTable.SPLIT, SplitTable.LABEL).collectAsList();
    }

    private static List<RoundBreakdown> rounds(FileSystem fs, Path run) throws IOException {
        return lines(fs, new Path(run, RunDirectory.ROUNDS), RoundBreakdown.class);
    }

    private static List<EpochMetrics> epochs(FileSystem fs, Path run) throws IOException {
        return lines(fs, new Path(run, MetricsLog.JSONL), EpochMetrics.class);
    }

    private static <T> List<T> lines(FileSystem fs, Path file, Class<T> type) throws IOException {
        if (!fs.exists(file)) {
            return List.of();
        }
        return AtomicFiles.readString(fs, file).lines().filter(l -> !l.isBlank()).map(l -> Json.read(l, type)).toList();
    }
}
