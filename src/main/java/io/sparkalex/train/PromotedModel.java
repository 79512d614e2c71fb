package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.data.DataError;
import io.sparkalex.eval.EvalResult;
import io.sparkalex.eval.Evaluator;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.eval.TrainingDiverged;
import io.sparkalex.nd4j.NonFinite;
import io.sparkalex.promote.DriftCheck;
import io.sparkalex.promote.Promotion;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.DataProfile;
import io.sparkalex.storage.DriftReport;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.OutputLease;
import io.sparkalex.storage.PromotionDecision;
import io.sparkalex.storage.TrainingState;
import io.sparkalex.storage.Uris;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a scheduled retraining does with the model already in production (the one at
 * {@code --promote-to}): before training, compares this run's data with the data it was trained
 * on (drift); after, scores it on this run's val split and replaces it with {@code best.zip}
 * when that is better.
 */
final class PromotedModel {
    private static final Logger log = LoggerFactory.getLogger(PromotedModel.class);

    private final JavaSparkContext sc;
    private final JobConfig config;
    private final RunOptions options;

    PromotedModel(JavaSparkContext sc, JobConfig config, RunOptions options) {
        this.sc = sc;
        this.config = config;
        this.options = options;
    }

    /**
     * Compares this run's data with the data of the model it would replace (the promoted one, or
     * {@code --drift-reference}): warns, or stops the run before training with exit 3, as
     * {@code drift_action} says. Nothing to compare with is not a drift.
     */
    void checkDrift(RunStatusBoard board, DataProfile now) throws IOException {
        String reference = options.driftReference() != null ? options.driftReference()
                : options.promoteTo() == null ? null : new Promotion(options.promoteTo(), sc.hadoopConfiguration())
                .model().toString();
        if (reference == null || config.driftAction == JobConfig.DriftAction.OFF) {
            return;
        }
        Path path = new Path(reference);
        var fs = path.getFileSystem(sc.hadoopConfiguration());
        if (!fs.exists(path)) {
            log.info("drift check: no model at {} yet; nothing to compare with", Uris.redact(reference));
            return;
        }
        TrainingState state = CheckpointStore.readState(fs, path);
        if (state.data() == null) {
            log.info("drift check: {} has no data profile (saved before this job recorded one); skipped",
                    Uris.redact(reference));
            return;
        }
        DriftReport report = new DriftCheck(config.driftMaxClassShareChange, config.driftMaxBadFractionIncrease,
                config.driftAction.name().toLowerCase(Locale.ROOT)).compare(Uris.redact(reference), state.data(), now);
        board.publish(board.status().withDrift(report));
        if (!report.drifted()) {
            log.info(String.format(Locale.ROOT, "drift check against %s: no drift (largest class share change %.3f, "
                    + "bad-row fraction change %+.3f)", Uris.redact(report.reference()), report.maxClassShareChange(),
                    report.badFractionIncrease()));
            return;
        }
        String findings = String.join("; ", report.findings());
        if (config.driftAction == JobConfig.DriftAction.STOP) {
            throw new DataError("the data drifted from the data of " + Uris.redact(report.reference()) + ": " + findings
                    + " (drift_action=stop; set drift_action=warn or raise the thresholds to train anyway)");
        }
        log.warn("the data drifted from the data of {}: {} (drift_action=warn: training anyway)",
                Uris.redact(report.reference()),
                findings);
    }

    /**
     * {@code --promote-to}: scores the promoted model on this run's val split (as every epoch was
     * scored) and installs {@code best.zip} there when it is better by more than
     * {@code promote_min_gain}. The decision goes to {@code promotion.json} here and, when
     * promoted, beside the model.
     */
    PromotionDecision promote(RunDirectory run, String runId, Evaluator evaluator, List<String> val,
                              EpochMetrics best, ClassIndex classes) throws IOException {
        if (best == null) {
            throw TrainingDiverged.noBestEpoch(Uris.redact(run.dir.toString()));
        }
        Promotion promotion = new Promotion(options.promoteTo(), sc.hadoopConfiguration());
        Optional<TrainingState> incumbentState = promotion.incumbentState();
        Double incumbentValue = null;
        String incomparable = null;
        if (incumbentState.isPresent()) {
            SavedModel incumbent = SavedModels.load(promotion.model().toString(), sc.hadoopConfiguration());
            if (!incumbent.classes().equals(classes.ids())) {
                incomparable = "the promoted model has classes " + incumbent.classes() + ", this run "
                        + classes.ids() + ": they cannot be compared; copy best.zip there by hand to replace it";
            } else if (incumbent.input().imageSize() != config.imageSize) {
                incomparable = "the promoted model takes " + incumbent.input().imageSize() + " px input, this run "
                        + config.imageSize + ": it cannot be scored on this run's val split; copy best.zip there by "
                        + "hand to replace it";
            } else if (NonFinite.count(incumbent.network().params()) > 0) {
                incumbentValue = Double.NaN;   // a diverged model scores nothing: any finite candidate beats it
            } else {
                sc.setJobGroup("sparkalex-promotion", "scoring the promoted model on val", false);
                try {
                    incumbentValue = metric(evaluator.evaluate(incumbent.network(),
                            List.of(new Evaluator.Batches("val (promoted model)", val, config.evalCrops))).get(0));
                } finally {
                    sc.clearJobGroup();
                }
            }
        }
        double candidateValue = metric(best);
        Promotion.Verdict verdict = Promotion.judge(config.promoteMetric, config.promoteMinGain, candidateValue,
                incumbentValue, incomparable);
        boolean promoted = verdict.promote();
        String reason = verdict.reason();
        if (promoted) {
            try {
                promotion.install(run.fs, run.checkpoints.path(CheckpointStore.BEST), run.dir, runId);
            } catch (OutputLease.HeldException e) {
                promoted = false;
                reason = "another run is promoting to " + promotion.location() + ": " + e.getMessage();
            }
        }
        PromotionDecision decision = new PromotionDecision(promoted, reason, config.promoteMetric.key(),
                config.promoteMinGain, promotion.location(), Uris.redact(run.checkpoints.path(CheckpointStore.BEST)
                .toString()), best.epoch(), candidateValue, incumbentValue,
                incumbentState.map(TrainingState::provenance).orElse(null), java.time.Instant.now().toString());
        promotion.record(decision);
        run.writePromotion(decision);
        log.info("{} {}: {}", promoted ? "promoted to" : "not promoted to", Uris.redact(promotion.location().toString()),
                Uris.redact(reason));
        return decision;
    }

    private double metric(EvalResult r) {
        return switch (config.promoteMetric) {
            case VAL_ACC -> r.accuracy();
            case VAL_LOSS -> r.loss();
            case VAL_TOP5 -> r.top5Accuracy();
        };
    }

    private double metric(EpochMetrics m) {
        return switch (config.promoteMetric) {
            case VAL_ACC -> m.valAcc();
            case VAL_LOSS -> m.valLoss();
            case VAL_TOP5 -> m.valTop5() == null ? 1.0 : m.valTop5();
        };
    }
}
