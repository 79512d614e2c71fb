package io.sparkalex.promote;

import io.sparkalex.config.PromoteMetric;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.Json;
import io.sparkalex.storage.OutputLease;
import io.sparkalex.storage.PromotionDecision;
import io.sparkalex.storage.TrainingState;
import io.sparkalex.storage.Uris;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The stable place a scheduled retraining promotes to ({@code --promote-to}, any Hadoop URI),
 * which serving reads: {@code model.zip} (the promoted model), {@code previous.zip} (the one it
 * replaced), {@code report.html} and {@code eval-test.json} of the promoted run, and
 * {@code promotion.json} (the last decision). A promotion writes {@code previous.zip} first,
 * then replaces {@code model.zip} in one atomic step (temporary + rename, or a single object
 * upload), then the report files and {@code promotion.json}; the location's lease keeps two runs
 * from promoting at once.
 */
public final class Promotion {
    public static final String MODEL = "model.zip";
    public static final String PREVIOUS = "previous.zip";
    public static final String DECISION = "promotion.json";
    /** Files of the run's output directory that travel with its model, when present. */
    public static final List<String> COMPANIONS = List.of("report.html", "eval-test.json");

    private final FileSystem fs;
    private final Path dir;

    public Promotion(String location, Configuration hadoop) throws IOException {
        this.dir = new Path(location);
        this.fs = AtomicFiles.fileSystem(dir, hadoop);
    }

    public Path model() {
        return new Path(dir, MODEL);
    }

    public String location() {
        return Uris.redact(fs.makeQualified(dir).toString());
    }

    /** The training state of the promoted model, or empty when nothing was promoted here yet. */
    public Optional<TrainingState> incumbentState() throws IOException {
        return fs.exists(model()) ? Optional.of(CheckpointStore.readState(fs, model())) : Optional.empty();
    }

    /**
     * Whether {@code candidate} beats {@code incumbent} on {@code metric} by more than
     * {@code minGain}; a null incumbent (none, or not comparable) is described by {@code noIncumbent}.
     * A non-finite score is the worst there is (a diverged model): a candidate with one is never
     * promoted, an incumbent with one is replaced by any finite candidate.
     */
    public static Verdict judge(PromoteMetric metric, double minGain, double candidate, Double incumbent,
                                String noIncumbent) {
        if (incumbent == null) {
            return noIncumbent == null ? new Verdict(true, "no model was promoted to this location yet")
                    : new Verdict(false, noIncumbent);
        }
        if (!Double.isFinite(candidate)) {
            return new Verdict(false, metric.key() + " of this run's best model is " + candidate + ": not promoted");
        }
        if (!Double.isFinite(incumbent)) {
            return new Verdict(true, metric.key() + " of the promoted model is " + incumbent + " (its outputs are not "
                    + "finite: it diverged); replaced by this run's " + String.format(Locale.ROOT, "%.4f", candidate));
        }
        double gain = metric.higherIsBetter() ? candidate - incumbent : incumbent - candidate;
        boolean better = gain > minGain;
        return new Verdict(better, String.format(Locale.ROOT, "%s %.4f vs %.4f of the promoted model: %s by %.4f, "
                        + "%s promote_min_gain=%s", metric.key(), candidate, incumbent,
                gain >= 0 ? "better" : "worse", Math.abs(gain), better ? "more than" : "not more than", minGain));
    }

    /** The outcome of {@link #judge}. */
    public record Verdict(boolean promote, String reason) {
    }

    /**
     * Installs {@code bestZip} (and its companions from {@code runDir}) as the promoted model,
     * keeping the one it replaces as {@code previous.zip}.
     *
     * @throws OutputLease.HeldException when another run is promoting to this location
     */
    public void install(FileSystem runFs, Path bestZip, Path runDir, String runId) throws IOException {
        fs.mkdirs(dir);
        try (OutputLease lease = OutputLease.acquire(fs, dir, runId, Duration.ofMinutes(10))) {
            if (fs.exists(model())) {
                copy(fs, model(), new Path(dir, PREVIOUS));
            }
            copy(runFs, bestZip, model());
            for (String name : COMPANIONS) {
                Path source = new Path(runDir, name);
                if (runFs.exists(source)) {
                    copy(runFs, source, new Path(dir, name));
                }
            }
            lease.check();
        }
    }

    /** Writes the decision beside the promoted model, when it was promoted. */
    public void record(PromotionDecision decision) throws IOException {
        if (decision.promoted()) {
            AtomicFiles.writeString(fs, new Path(dir, DECISION), Json.pretty(decision) + "\n");
        }
    }

    private void copy(FileSystem from, Path source, Path target) throws IOException {
        try (InputStream in = from.open(source)) {
            AtomicFiles.write(fs, target, in::transferTo);
        }
    }
}
