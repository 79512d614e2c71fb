package io.sparkalex.eval;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.sparkalex.data.DataReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model scored on one split: what {@code eval-<split>.json} holds and what the report and the
 * log show. Per class: precision (of the images predicted as the class, the share that are),
 * recall (of the class's images, the share found), F1 and support (its images); 0 where the
 * ratio has no images to count. Macro averages weigh every class the same. {@code top5} is null
 * with 5 classes or fewer. {@code rows} says what happened to the split's CSV rows (skipped
 * images are not scored). An image whose outputs were not finite (a diverged network) has no
 * predicted class: it counts in its class's support and {@code unpredicted}, against its recall,
 * and in no column of the confusion matrix ({@link EvalResult}).
 */
@JsonPropertyOrder({"model", "split", "crops", "images", "loss", "accuracy", "top5", "macro_precision",
        "macro_recall", "macro_f1", "classes", "confusion", "rows", "evaluated_at"})
public record EvaluationReport(String model, String split, int crops, long images, double loss, double accuracy,
                               Double top5, double macroPrecision, double macroRecall, double macroF1,
                               List<ClassScore> classes, List<List<Long>> confusion, DataReport.Counts rows,
                               String evaluatedAt) {

    /**
     * One class's line; {@code predicted} counts the images the model put in it, {@code unpredicted}
     * its images for which the model's outputs were not finite (part of {@code support}).
     */
    public record ClassScore(String id, String name, long support, long predicted, long unpredicted, double precision,
                             double recall, double f1) {
        /**
         * The class as people read it: {@code n03594734 trouser}, the id and the name's first
         * synonym (WordNet's are comma-separated) cut to {@value #LABEL_NAME} characters; the id
         * alone where no name is known.
         */
        public String label() {
            String first = name == null ? "" : name.split(",", 2)[0].strip();
            if (first.isEmpty() || first.equals(id)) {
                return id;
            }
            return id + " " + (first.length() <= LABEL_NAME ? first : first.substring(0, LABEL_NAME - 1) + "…");
        }
    }

    /** How much of a class's name its label keeps: enough to tell 1000 ImageNet classes apart at a glance. */
    static final int LABEL_NAME = 20;

    /** @param ids the model's classes in output order, {@code names} their readable names */
    public static EvaluationReport of(String model, String split, int crops, EvalResult r, List<String> ids,
                                      Map<String, String> names, DataReport.Counts rows) {
        int k = ids.size();
        List<ClassScore> classes = new ArrayList<>();
        List<List<Long>> confusion = new ArrayList<>();
        double sumP = 0;
        double sumR = 0;
        double sumF = 0;
        for (int a = 0; a < k; a++) {
            long support = r.unpredicted(a);
            long predicted = 0;
            List<Long> row = new ArrayList<>();
            for (int p = 0; p < k; p++) {
                support += r.confusion(a, p);
                predicted += r.confusion(p, a);
                row.add(r.confusion(a, p));
            }
            long hits = r.confusion(a, a);
            double precision = predicted == 0 ? 0 : (double) hits / predicted;
            double recall = support == 0 ? 0 : (double) hits / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes.add(new ClassScore(ids.get(a), names.getOrDefault(ids.get(a), ids.get(a)), support, predicted,
                    r.unpredicted(a), precision, recall, f1));
            confusion.add(row);
            sumP += precision;
            sumR += recall;
            sumF += f1;
        }
        return new EvaluationReport(model, split, crops, r.examples(), r.loss(), r.accuracy(),
                k > 5 ? r.top5Accuracy() : null, sumP / k, sumR / k, sumF / k, classes, confusion, rows,
                Instant.now().toString());
    }

    /**
     * {@code confusion-<split>.csv}: one row per actual class, one column per predicted class, and a
     * last column {@code none} (images with non-finite outputs) only when there were such images.
     */
    public String confusionCsv() {
        boolean none = classes.stream().anyMatch(c -> c.unpredicted() > 0);
        StringBuilder sb = new StringBuilder("actual\\predicted");
        classes.forEach(c -> sb.append(',').append(csvCell(c.label())));
        sb.append(none ? ",none\n" : "\n");
        for (int a = 0; a < classes.size(); a++) {
            sb.append(csvCell(classes.get(a).label()));
            confusion.get(a).forEach(n -> sb.append(',').append(n));
            sb.append(none ? "," + classes.get(a).unpredicted() + "\n" : "\n");
        }
        return sb.toString();
    }

    /** The per-class table as the log shows it. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s %-24s %9s %9s %9s %8s%n", "class", "name", "precision", "recall",
                "f1", "support"));
        for (ClassScore c : classes) {
            sb.append(String.format(Locale.ROOT, "%-12s %-24s %9.4f %9.4f %9.4f %8d%n", c.id(), shorten(c.name()),
                    c.precision(), c.recall(), c.f1(), c.support()));
        }
        sb.append(String.format(Locale.ROOT, "%-12s %-24s %9.4f %9.4f %9.4f %8d%n", "macro avg", "", macroPrecision,
                macroRecall, macroF1, images));
        sb.append(String.format(Locale.ROOT, "%s: %d images, loss %.4f, accuracy %.4f%s, %d crop%s", split, images,
                loss, accuracy, top5 == null ? "" : String.format(Locale.ROOT, ", top-5 %.4f", top5), crops,
                crops == 1 ? "" : "s"));
        return sb.toString();
    }

    /** A CSV cell: quoted (quotes doubled) when it holds a comma or a quote. */
    private static String csvCell(String text) {
        return text.contains(",") || text.contains("\"") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }

    private static String shorten(String name) {
        return name.length() <= 24 ? name : name.substring(0, 23) + "…";
    }
}
