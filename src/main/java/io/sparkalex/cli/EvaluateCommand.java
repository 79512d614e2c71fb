package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.data.DataError;
import io.sparkalex.data.DataReport;
import io.sparkalex.data.SplitTable;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.eval.FileEvaluator;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.model.EvalCrops;
import io.sparkalex.report.ReportFiles;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.Uris;
import io.sparkalex.train.SavedModels;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code evaluate}: a saved model scored on one split of a CSV, on the executors. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Score a saved model on one split of a CSV: loss, top-1, top-5, per-class precision, "
                + "recall and F1, and the confusion matrix.",
                "Writes eval-<split>.json, confusion-<split>.csv and confusion-<split>.png into --out."})
final class EvaluateCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(EvaluateCommand.class);

    @Option(names = "--model", required = true, paramLabel = "URI", description = "A model zip, e.g. <out>/best.zip.")
    String model;

    @Option(names = "--csv", required = true, paramLabel = "URI", description = "CSV with filename and split columns.")
    String csv;

    @Option(names = "--images", required = true, paramLabel = "URI", description = "Image root of the CSV's file names.")
    String images;

    @Option(names = "--split", defaultValue = "test", paramLabel = "NAME",
            description = "Split to score (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", paramLabel = "URI", description = "Where the results go (default: the model's folder).")
    String out;

    @Option(names = "--crops", paramLabel = "N",
            description = "1 (centre crop) or 10 (the paper's ten crops); default: the model's eval_crops.")
    Integer crops;

    @Override
    public Integer call() throws Exception {
        if (crops != null && !EvalCrops.allowed(crops)) {
            throw new ConfigError(EvalCrops.refusal("--crops", crops));
        }
        return JobSession.run("sparkalex-evaluate", spark -> {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            SavedModel saved = SavedModels.load(model, sc.hadoopConfiguration()).requireFinite();
            SplitTable table = SplitTable.read(spark, csv);
            String name = split.trim().toLowerCase(java.util.Locale.ROOT);
            if (table.count(name) == 0) {
                throw new DataError("CSV " + csv + " has no rows in split '" + name + "' (rows per split: "
                        + table.counts() + ")");
            }
            int n = crops != null ? crops : saved.input().evalCrops();
            log.info("evaluating {} on the {} split of {} ({} rows, {} crop{})", Uris.redact(model), name,
                    Uris.redact(csv), table.count(name),
                    n, n == 1 ? "" : "s");
            EvaluationReport report = new FileEvaluator(sc, sc.defaultParallelism())
                    .evaluate(saved, table.split(name), images, name, n);
            Path dir = new Path(out != null ? out : new Path(model).getParent().toString());
            ReportFiles.writeEvaluation(AtomicFiles.fileSystem(dir, sc.hadoopConfiguration()), dir, report);
            log.info("{}{}", report.table(), report.rows().skipped() == 0 ? "" : "\nskipped rows: "
                    + DataReport.of(report.rows()).summary());
            log.info("wrote {}, {} and {} in {}", ReportFiles.evaluationJson(name), ReportFiles.confusionCsv(name),
                    ReportFiles.confusionPng(name), Uris.redact(dir.toString()));
            return ExitCode.OK;
        });
    }
}
