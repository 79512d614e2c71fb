package io.sparkalex.train;

import io.sparkalex.data.DataQualityGate;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.report.ReportFiles;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.Json;
import io.sparkalex.storage.MetricsLog;
import io.sparkalex.storage.OutputLease;
import io.sparkalex.storage.PromotionDecision;
import io.sparkalex.storage.RunStatus;
import io.sparkalex.storage.Uris;
import io.sparkalex.config.ConfigError;
import io.sparkalex.storage.TestMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.time.Duration;

/**
 * The output directory of a run ({@code --out}, any Hadoop URI) and every file the job keeps in
 * it: checkpoints, metrics, the data report, the test evaluation, {@code report.html} and its
 * charts ({@link ReportFiles}), the image cache ({@code _cache/},
 * unless {@code cache_dir} puts it elsewhere) and the scratch folder {@code _work/} where
 * resident workers exchange optimizer state, the lease that keeps a second run out, and what a
 * scheduler reads: {@code run-status.json}, {@code promotion.json} and {@code _SUCCESS}.
 */
final class RunDirectory implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RunDirectory.class);
    static final String TEST_METRICS = "test-metrics.json";
    static final String DATA_REPORT = "data-report.json";
    /** The scheduler's view of the run (see {@link RunStatus}). */
    static final String RUN_STATUS = "run-status.json";
    /** Written last, and only, when a run completed with every output in place (as Hadoop jobs do). */
    static final String SUCCESS = "_SUCCESS";
    /** This run's promotion decision, when it was run with --promote-to. */
    static final String PROMOTION = "promotion.json";
    /** Where each averaging round's time went (see averaging.RoundBreakdown). */
    static final String ROUNDS = "rounds.jsonl";

    final FileSystem fs;
    final Path dir;
    final CheckpointStore checkpoints;
    final MetricsLog metrics;

    private final OutputLease lease;

    private RunDirectory(FileSystem fs, Path dir, OutputLease lease) {
        this.fs = fs;
        this.dir = dir;
        this.lease = lease;
        this.checkpoints = new CheckpointStore(fs, dir);
        this.metrics = new MetricsLog(fs, dir);
    }

    /**
     * Creates the directory if needed, takes its lease for {@code runId} (one run per directory),
     * then removes temporaries a crashed writer left in it. A directory that cannot be created or
     * written is a usage error, found before any Spark work.
     *
     * @throws OutputLease.HeldException when another live run holds it
     */
    static RunDirectory open(String out, Configuration hadoop, String runId, Duration leaseTimeout)
            throws IOException {
        Path dir = new Path(out);
        FileSystem fs;
        OutputLease lease;
        try {
            fs = AtomicFiles.fileSystem(dir, hadoop);
            if (!fs.mkdirs(dir) || !fs.getFileStatus(dir).isDirectory()) {
                throw new IOException("not a directory");
            }
            lease = OutputLease.acquire(fs, dir, runId, leaseTimeout);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigError("cannot write to --out " + Uris.redact(out) + ": " + e.getMessage());
        }
        AtomicFiles.cleanTemporaries(fs, dir);
        return new RunDirectory(fs, dir, lease);
    }

    /** Throws when another run has taken the directory over: this one must not write there any more. */
    void checkLease() {
        lease.check();
    }

    /** Gives the directory up for the next run. */
    @Override
    public void close() {
        lease.close();
    }

    /** Where the image cache lives: {@code cacheDir} when set, else {@code <out>/_cache}. */
    String cacheDir(String cacheDir) {
        return cacheDir.isBlank() ? fs.makeQualified(new Path(dir, "_cache")).toString() : cacheDir;
    }

    /** Scratch space of this run, emptied at its start and end; shared by driver and executors. */
    Path workDir() {
        return new Path(dir, "_work");
    }

    void clearWorkDir() throws IOException {
        fs.delete(workDir(), true);
    }

    Path dataReport() {
        return new Path(dir, DATA_REPORT);
    }

    void writeDataReport(DataQualityGate.ReportFile report) throws IOException {
        AtomicFiles.writeString(fs, dataReport(), Json.pretty(report) + "\n");
    }

    /** The data report this run wrote, or null when there is none yet. */
    DataQualityGate.ReportFile readDataReport() throws IOException {
        return fs.exists(dataReport()) ? Json.read(AtomicFiles.readString(fs, dataReport()),
                DataQualityGate.ReportFile.class) : null;
    }

    /** {@code eval-<split>.json}, {@code confusion-<split>.csv/.png} of an evaluation of this run's model. */
    void writeEvaluation(EvaluationReport report) throws IOException {
        ReportFiles.writeEvaluation(fs, dir, report);
    }

    /**
     * For {@code --fresh}: moves every output of an earlier run (checkpoints, metrics, reports; not
     * the image cache, which is keyed by its data) into {@code _replaced-<time>/}, so a new run
     * starts clean and nothing is lost by a mistyped flag.
     */
    void moveOutputsAside() throws IOException {
        Path aside = null;
        for (var f : fs.listStatus(dir, p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))) {
            if (aside == null) {
                aside = new Path(dir, "_replaced-" + java.time.Instant.now().toString().replace(':', '-'));
                fs.mkdirs(aside);
            }
            if (!fs.rename(f.getPath(), new Path(aside, f.getPath().getName()))) {
                throw new IOException("--fresh: cannot move " + f.getPath() + " to " + aside);
            }
        }
        if (aside != null) {
            log.info("--fresh: moved the earlier run's outputs in {} to {}", Uris.redact(dir.toString()),
                    Uris.redact(aside.toString()));
        }
    }

    void writeStatus(RunStatus status) throws IOException {
        AtomicFiles.writeString(fs, new Path(dir, RUN_STATUS), Json.pretty(status) + "\n");
    }

    /** Removes {@code _SUCCESS}: from here on the outputs change until this run completes. */
    void clearSuccess() throws IOException {
        fs.delete(new Path(dir, SUCCESS), false);
    }

    void markSuccess() throws IOException {
        AtomicFiles.writeString(fs, new Path(dir, SUCCESS), "");
    }

    void writePromotion(PromotionDecision decision) throws IOException {
        AtomicFiles.writeString(fs, new Path(dir, PROMOTION), Json.pretty(decision) + "\n");
    }

    /** The promotion decision a run over this directory stored, or null. */
    PromotionDecision readPromotion() throws IOException {
        Path p = new Path(dir, PROMOTION);
        return fs.exists(p) ? Json.read(AtomicFiles.readString(fs, p), PromotionDecision.class) : null;
    }

    /**
     * Appends an epoch's round timings to {@code rounds.jsonl} (one JSON object per averaging
     * round), dropping lines of that epoch or later that an interrupted run left.
     */
    void writeRounds(int epoch, java.util.List<io.sparkalex.averaging.RoundBreakdown> rounds) throws IOException {
        Path file = new Path(dir, ROUNDS);
        StringBuilder text = new StringBuilder();
        if (fs.exists(file)) {
            for (String line : AtomicFiles.readString(fs, file).split("\n")) {
                if (!line.isBlank() && Json.MAPPER.readTree(line).path("epoch").asInt() < epoch) {
                    text.append(line).append('\n');
                }
            }
        }
        for (var r : rounds) {
            text.append(Json.write(r)).append('\n');
        }
        AtomicFiles.writeString(fs, file, text.toString());
    }

    void writeTestMetrics(TestMetrics test) throws IOException {
        AtomicFiles.writeString(fs, new Path(dir, TEST_METRICS), Json.pretty(test) + "\n");
    }
}
