package io.sparkalex.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.sparkalex.data.DataQualityGate;
import io.sparkalex.data.DataReport;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Provenance;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page per run (styles inline, charts embedded as PNG data
 * URIs, nothing fetched, so it opens offline or as a mail attachment). It shows the summary, the
 * charts, the per-epoch table, timings, the test evaluation with its per-class table, the data
 * report, the configuration and the provenance. The layout is the Mustache template
 * {@code report.html.mustache} beside this class; this class only turns the run into its values
 * (Mustache escapes every one of them for HTML).
 *
 * @param data null until the data report exists; {@code test} null until the run has tested its best model
 */
public record RunReport(String runDir, int epochsPlanned, boolean finished, String configText,
                        DataQualityGate.ReportFile data, List<EpochMetrics> history, int bestEpoch,
                        EvaluationReport test, Provenance provenance) {
    private static final Mustache TEMPLATE = compile();

    /** The page, with the per-epoch charts by file name and the test's confusion heatmap (may be null). */
    public String html(Map<String, byte[]> charts, byte[] confusionPng) {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("title", "sparkalex run " + runDir);
        page.put("status", status());
        page.put("updatedAt", Instant.now().toString());
        page.put("summary", summary());
        List<Map<String, String>> images = new ArrayList<>();
        charts.forEach((name, png) -> images.add(Map.of("name", name, "title", chartTitle(name),
                "base64", Base64.getEncoder().encodeToString(png))));
        page.put("charts", images);
        page.put("epochs", epochRows());
        page.put("timings", timings());
        if (test != null) {
            page.put("test", testSection(confusionPng));
        }
        if (data != null) {
            page.put("data", dataSection());
        }
        page.put("config", configText);
        page.put("provenance", provenance == null ? List.of() : rows(provenance.describe()));
        StringWriter out = new StringWriter();
        TEMPLATE.execute(out, page);
        return out.toString();
    }

    private String status() {
        int done = history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
        return finished ? "finished: " + done + " of " + epochsPlanned + " epochs"
                : "running: " + done + " of " + epochsPlanned + " epochs done";
    }

    private List<Map<String, String>> summary() {
        Map<String, String> s = new LinkedHashMap<>();
        EpochMetrics best = history.stream().filter(m -> m.epoch() == bestEpoch).findFirst().orElse(null);
        if (best != null) {
            s.put("best epoch (lowest val loss)", Integer.toString(bestEpoch));
            s.put("best val loss / accuracy", f4(best.valLoss()) + " / " + f4(best.valAcc()));
        }
        if (test != null) {
            s.put("test accuracy (best model)", f4(test.accuracy()) + (test.top5() == null ? ""
                    : " (top-5 " + f4(test.top5()) + ")") + " on " + test.images() + " images");
        }
        if (data != null) {
            s.put("images used / rows", data.used() + " / " + data.rows() + " (" + data.skipped() + " skipped)");
        }
        s.put("output directory", runDir);
        return rows(s);
    }

    private List<Map<String, Object>> epochRows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EpochMetrics m : history) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("best", m.epoch() == bestEpoch);
            r.put("cells", List.of(Integer.toString(m.epoch()), f4(m.trainLoss()), f4(m.trainAcc()), f4(m.valLoss()),
                    f4(m.valAcc()), m.valTop5() == null ? "" : f4(m.valTop5()), String.format(Locale.ROOT, "%.3g", m.lr()),
                    f1(m.imagesPerSec()), f1(m.epochSeconds()), f1(m.trainSeconds()), f1(m.evalSeconds())));
            rows.add(r);
        }
        return rows;
    }

    private List<Map<String, String>> timings() {
        if (history.isEmpty()) {
            return List.of();
        }
        double train = history.stream().mapToDouble(EpochMetrics::trainSeconds).sum();
        double eval = history.stream().mapToDouble(EpochMetrics::evalSeconds).sum();
        long images = history.stream().mapToLong(EpochMetrics::trainImages).sum();
        Map<String, String> t = new LinkedHashMap<>();
        t.put("training images/s (all epochs)", f1(images / train));
        t.put("seconds per epoch (mean)", f1((train + eval) / history.size()));
        t.put("training / evaluation seconds", f1(train) + " / " + f1(eval) + String.format(Locale.ROOT,
                " (evaluation %.0f%%)", 100 * eval / (train + eval)));
        return rows(t);
    }

    private Map<String, Object> testSection(byte[] confusionPng) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("summary", rows(ordered("model", test.model(), "images", Long.toString(test.images()),
                "loss / accuracy", f4(test.loss()) + " / " + f4(test.accuracy()) + (test.top5() == null ? ""
                        : " (top-5 " + f4(test.top5()) + ")"),
                "macro precision / recall / F1", f4(test.macroPrecision()) + " / " + f4(test.macroRecall()) + " / "
                        + f4(test.macroF1()), "crops", Integer.toString(test.crops()))));
        List<List<String>> classes = new ArrayList<>();
        for (EvaluationReport.ClassScore c : test.classes()) {
            classes.add(List.of(c.id(), c.name(), f4(c.precision()), f4(c.recall()), f4(c.f1()),
                    Long.toString(c.support())));
        }
        t.put("classes", classes.stream().map(c -> Map.of("cells", c)).toList());
        if (confusionPng != null) {
            t.put("confusion", Base64.getEncoder().encodeToString(confusionPng));
        }
        return t;
    }

    private Map<String, Object> dataSection() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("summary", rows(ordered("CSV", data.csv(), "images", data.images(),
                "rows / used / skipped", data.rows() + " / " + data.used() + " / " + data.skipped(),
                "bad fraction (limit)", String.format(Locale.ROOT, "%.4f (%s)", data.badFraction(),
                        data.maxBadFraction()))));
        List<Map<String, Object>> splits = new ArrayList<>();
        data.splits().forEach((name, c) -> splits.add(Map.of("cells", List.of(name, Long.toString(c.rows()),
                Long.toString(c.used()), Long.toString(c.skipped())))));
        d.put("splits", splits);
        List<Map<String, Object>> reasons = new ArrayList<>();
        data.skippedByReason().forEach((reason, c) -> reasons.add(reason(reason, c)));
        d.put("reasons", reasons);
        return d;
    }

    private static Map<String, Object> reason(String reason, DataReport.ReasonCount c) {
        return Map.of("reason", reason, "count", Long.toString(c.count()), "description", c.description(),
                "examples", c.examples());
    }

    private static List<Map<String, String>> rows(Map<String, String> values) {
        List<Map<String, String>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(Map.of("label", k, "value", v)));
        return rows;
    }

    /** Label, value, label, value... in this order. */
    private static Map<String, String> ordered(String... labelValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < labelValues.length; i += 2) {
            m.put(labelValues[i], labelValues[i + 1]);
        }
        return m;
    }

    private static String chartTitle(String fileName) {
        String base = fileName.replace(".png", "").replace('-', ' ');
        return Character.toUpperCase(base.charAt(0)) + base.substring(1);
    }

    private static String f4(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "–";
    }

    private static String f1(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "–";
    }

    private static Mustache compile() {
        try (InputStream in = RunReport.class.getResourceAsStream("report.html.mustache")) {
            if (in == null) {
                throw new IllegalStateException("report.html.mustache is missing from the jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new DefaultMustacheFactory().compile(new StringReader(text), "report.html");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
