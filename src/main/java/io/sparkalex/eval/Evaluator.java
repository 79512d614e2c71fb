package io.sparkalex.eval;

import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.monitor.JobProgress;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/**
 * Driver side of evaluation on the image cache: ships the current parameters once per call and
 * sums what the executors' {@link EvaluateBatches} return for each list of cached minibatches;
 * {@code loader} reads them (evaluation minibatches: no augmentation). Logs the minibatches
 * scored, their rate and ETA every {@code progressSeconds} ({@link JobProgress}) and when done.
 */
public record Evaluator(JavaSparkContext sc, int partitions, CacheBatchLoader loader, int imageSize,
                        long progressSeconds) {

    /** A split's minibatches to score together, with 1 crop (the centre) or the paper's 10 (outputs averaged). */
    public record Batches(String split, List<String> names, int crops) {
    }

    /**
     * Evaluates the network on each set of minibatches, with one parameter broadcast for all. The
     * partitions' sums are added in partition order (Spark's {@code reduce} adds them as tasks
     * finish, which moves a loss's last bits from run to run): one result per partition comes back.
     */
    public List<EvalResult> evaluate(MultiLayerNetwork network, List<Batches> batchSets) {
        String what = "scoring " + String.join(", ", batchSets.stream().map(Batches::split).toList()) + " minibatches";
        long total = batchSets.stream().mapToLong(set -> set.names().size()).sum();
        try (ModelBroadcast model = ModelBroadcast.of(sc, network);
             JobProgress progress = JobProgress.start(sc.sc(), what, total, progressSeconds)) {
            return batchSets.stream().map(set -> set.names().isEmpty() ? EvalResult.EMPTY
                    : sc.parallelize(set.names(), Math.min(partitions, set.names().size()))
                        .mapPartitions(new EvaluateBatches(model, loader, imageSize, set.crops(), progress.counter()))
                        .collect().stream().reduce(EvalResult.EMPTY, EvalResult::plus)).toList();
        }
    }
}
