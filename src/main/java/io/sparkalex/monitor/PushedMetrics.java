package io.sparkalex.monitor;

import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.RunStatus;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A run's state in Prometheus's text exposition format (version 0.0.4), as the driver pushes it:
 * gauges for the latest epoch, the whole history as {@code sparkalex_history_*{epoch="k"}} series
 * (a Pushgateway keeps only the last push, so each push carries every epoch), the state as one
 * series per state (1 for the current one), and {@code sparkalex_last_success_timestamp_seconds},
 * only in the push that ends a successful run, for alerting on runs that stopped succeeding.
 */
final class PushedMetrics {
    private final StringBuilder text = new StringBuilder();

    private PushedMetrics() {
    }

    static String render(RunStatus status, List<EpochMetrics> history, Double badRowFraction) {
        PushedMetrics m = new PushedMetrics();
        m.type("sparkalex_state", "1 for the run's current state (running, succeeded, failed, stopped_early, not_promoted)");
        for (RunStatus.State s : RunStatus.State.values()) {
            m.sample("sparkalex_state", "state", s.json(), s == status.state() ? 1 : 0);
        }
        m.gauge("sparkalex_run_info", "the run's ids as labels", 1,
                "run_id", status.runId(), "application_id", status.applicationId() == null ? "" : status.applicationId());
        m.gauge("sparkalex_epoch", "last completed epoch", status.epoch());
        m.gauge("sparkalex_epochs_planned", "epochs the run is configured for", status.epochs());
        m.gauge("sparkalex_run_start_timestamp_seconds", "when the run started", seconds(status.startedAt()));
        if (badRowFraction != null) {
            m.gauge("sparkalex_bad_row_fraction", "share of the CSV's rows that could not be used", badRowFraction);
        }
        if (!history.isEmpty()) {
            EpochMetrics last = history.get(history.size() - 1);
            m.gauge("sparkalex_train_loss", "train loss after the last epoch", last.trainLoss());
            m.gauge("sparkalex_train_accuracy", "train accuracy after the last epoch", last.trainAcc());
            m.gauge("sparkalex_val_loss", "val loss after the last epoch", last.valLoss());
            m.gauge("sparkalex_val_accuracy", "val accuracy after the last epoch", last.valAcc());
            m.gauge("sparkalex_images_per_second", "training images per second in the last epoch", last.imagesPerSec());
            m.gauge("sparkalex_epoch_seconds", "seconds the last epoch took, evaluation included", last.epochSeconds());
            m.history("train_loss", history, EpochMetrics::trainLoss);
            m.history("train_accuracy", history, EpochMetrics::trainAcc);
            m.history("val_loss", history, EpochMetrics::valLoss);
            m.history("val_accuracy", history, EpochMetrics::valAcc);
            m.history("images_per_second", history, EpochMetrics::imagesPerSec);
            m.history("epoch_seconds", history, EpochMetrics::epochSeconds);
        }
        if (status.exitCode() != null) {
            m.gauge("sparkalex_exit_code", "the run's exit code", status.exitCode());
        }
        if (status.promotion() != null) {
            m.gauge("sparkalex_promoted", "1 when the run's model was promoted", status.promotion().promoted() ? 1 : 0);
        }
        if (status.state().succeeded()) {
            m.gauge("sparkalex_last_success_timestamp_seconds", "when a run last succeeded",
                    seconds(status.finishedAt()));
        }
        return m.text.toString();
    }

    private void history(String name, List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> value) {
        String metric = "sparkalex_history_" + name;
        type(metric, name.replace('_', ' ') + " of every epoch, by epoch");
        for (EpochMetrics e : history) {
            sample(metric, "epoch", String.valueOf(e.epoch()), value.applyAsDouble(e));
        }
    }

    private void gauge(String name, String help, double value, String... labels) {
        type(name, help);
        sample(name, value, labels);
    }

    private void type(String name, String help) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n');
        text.append("# TYPE ").append(name).append(" gauge\n");
    }

    private void sample(String name, String label, String value, double v) {
        sample(name, v, label, value);
    }

    private void sample(String name, double value, String... labels) {
        text.append(name);
        if (labels.length > 0) {
            text.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                text.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(escape(labels[i + 1]))
                        .append('"');
            }
            text.append('}');
        }
        text.append(' ').append(format(value)).append('\n');
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    private static double seconds(String isoInstant) {
        return isoInstant == null ? Double.NaN : Instant.parse(isoInstant).toEpochMilli() / 1000.0;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
