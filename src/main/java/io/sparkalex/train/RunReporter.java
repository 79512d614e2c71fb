package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.DataQualityGate;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.report.ReportFiles;
import io.sparkalex.report.RunReport;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Provenance;
import io.sparkalex.storage.Uris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Keeps {@code report.html} and {@code charts/} current: rewritten after every epoch, so a running
 * job can be watched, and once more with the test evaluation at the end. The report is for people,
 * not for resuming: a failure to draw or write it is logged and training goes on.
 */
final class RunReporter implements EpochListener {
    private static final Logger log = LoggerFactory.getLogger(RunReporter.class);

    private final RunDirectory run;
    private final JobConfig config;
    private final DataQualityGate.ReportFile data;
    private final Provenance provenance;
    private boolean warned;

    RunReporter(RunDirectory run, JobConfig config, DataQualityGate.ReportFile data, Provenance provenance) {
        this.run = run;
        this.config = config;
        this.data = data;
        this.provenance = provenance;
    }

    /** Redraws the report with the epoch. */
    @Override
    public void epochEnded(EpochEnd e) {
        update(e.history(), e.bestEpoch(), null, false);
    }

    /** @param test null until the best model has been tested; {@code finished} once no epoch is left */
    void update(List<EpochMetrics> history, int bestEpoch, EvaluationReport test, boolean finished) {
        try {
            ReportFiles.writeRun(run.fs, run.dir, new RunReport(Uris.redact(run.fs.makeQualified(run.dir).toString()),
                    config.epochs, finished, Uris.redact(config.describe()), data, history, bestEpoch, test, provenance));
        } catch (Exception | LinkageError e) {
            if (!warned) {
                log.warn("could not write {} (training goes on): {}", ReportFiles.REPORT, e.toString(), e);
                warned = true;
            }
        }
    }
}
