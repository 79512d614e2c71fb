package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.BatchPlan;
import io.sparkalex.data.CachedSplit;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.eval.EvalResult;
import io.sparkalex.eval.EvaluationReport;
import io.sparkalex.eval.Evaluator;
import io.sparkalex.model.PortableConfiguration;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.TestMetrics;
import io.sparkalex.storage.Uris;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * The run's last step: {@code best.zip} scored on the test split, as {@code evaluate} does it:
 * writes {@code eval-test.json}, {@code confusion-test.csv/.png} and {@code test-metrics.json},
 * logs the per-class table and stores the test metrics in {@code best.zip}.
 */
final class BestModelTest {
    private static final Logger log = LoggerFactory.getLogger(BestModelTest.class);

    private BestModelTest() {
    }

    /** The test report, or null without a test split (or a best model). */
    static EvaluationReport run(RunDirectory run, JobConfig config, CachedSplit testSplit, Evaluator evaluator,
                                int bestEpoch, ClassIndex classes) throws IOException {
        if (testSplit == null || testSplit.examples() == 0 || !run.checkpoints.exists(CheckpointStore.BEST)) {
            return null;
        }
        MultiLayerNetwork best = PortableConfiguration.withKernels(
                run.checkpoints.load(CheckpointStore.BEST).orElseThrow().network(), config.nativeKernels);
        EvalResult r = evaluator.evaluate(best, List.of(new Evaluator.Batches("test",
                BatchPlan.evaluation(testSplit, config.batchSize), config.evalCrops))).get(0);
        EvaluationReport report = EvaluationReport.of(Uris.redact(run.checkpoints.path(CheckpointStore.BEST).toString()),
                "test", config.evalCrops, r, classes.ids(), classes.namesById(), testSplit.report().counts());
        TestMetrics test = metrics(report, bestEpoch);
        run.writeEvaluation(report);
        run.writeTestMetrics(test);
        run.checkpoints.updateState(CheckpointStore.BEST, state -> state.withTest(test));
        log.info("test (best model, epoch {}):\n{}", bestEpoch, report.table());
        return report;
    }

    /** The headline numbers of a test evaluation ({@code eval-test.json} has the per-class ones). */
    static TestMetrics metrics(EvaluationReport r, int bestEpoch) {
        return new TestMetrics(bestEpoch, r.loss(), r.accuracy(), r.top5(), r.images());
    }
}
