package io.sparkalex.report;

import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.Json;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Map;

/**
 * The files people read, written into a directory on any Hadoop FileSystem, each atomically (a
 * reader or a browser refreshing the page sees the old or the new version, never half of one):
 * an evaluation's {@code eval-<split>.json}, {@code confusion-<split>.csv} and
 * {@code confusion-<split>.png}; a run's {@code charts/*.png} and {@code report.html}.
 */
public final class ReportFiles {
    public static final String REPORT = "report.html";
    public static final String CHARTS = "charts";

    private ReportFiles() {
    }

    public static String evaluationJson(String split) {
        return "eval-" + split + ".json";
    }

    public static String confusionCsv(String split) {
        return "confusion-" + split + ".csv";
    }

    public static String confusionPng(String split) {
        return "confusion-" + split + ".png";
    }

    /** Writes an evaluation's JSON, confusion CSV and heatmap into {@code dir}. */
    public static void writeEvaluation(FileSystem fs, Path dir, EvaluationReport r) throws IOException {
        AtomicFiles.writeString(fs, new Path(dir, evaluationJson(r.split())), Json.pretty(r) + "\n");
        AtomicFiles.writeString(fs, new Path(dir, confusionCsv(r.split())), r.confusionCsv());
        byte[] png = Charts.confusion(r);
        AtomicFiles.write(fs, new Path(dir, confusionPng(r.split())), out -> out.write(png));
    }

    /** Redraws the run's per-epoch charts into {@code dir/charts/} and rewrites {@code dir/report.html}. */
    public static void writeRun(FileSystem fs, Path dir, RunReport report) throws IOException {
        Map<String, byte[]> charts = Charts.epochCharts(report.history());
        for (Map.Entry<String, byte[]> chart : charts.entrySet()) {
            AtomicFiles.write(fs, new Path(new Path(dir, CHARTS), chart.getKey()), out -> out.write(chart.getValue()));
        }
        byte[] confusion = report.test() == null ? null : Charts.confusion(report.test());
        AtomicFiles.writeString(fs, new Path(dir, REPORT), report.html(charts, confusion));
    }
}
