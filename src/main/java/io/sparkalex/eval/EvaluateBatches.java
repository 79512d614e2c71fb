package io.sparkalex.eval;

import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.monitor.JobProgress;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;

import java.util.Iterator;
import java.util.List;

/**
 * Executor side of evaluation on the image cache: rebuilds the network from the broadcast, runs
 * it in inference mode (no dropout) over a partition's cached minibatches, and returns loss,
 * top-1, top-5 and the confusion matrix in one pass. One pass for all is why this exists instead
 * of DL4J's separate {@code evaluate} and {@code calculateScore} jobs. A record: Spark ships it to
 * the executors with Java serialization (Kryo, which cannot handle records, is only for data).
 * Each minibatch is counted into {@code done} as it is taken (the driver's progress line).
 */
record EvaluateBatches(ModelBroadcast model, CacheBatchLoader loader, int imageSize, int crops, LongAccumulator done)
        implements FlatMapFunction<Iterator<String>, EvalResult> {

    @Override
    public Iterator<EvalResult> call(Iterator<String> partition) {
        Iterator<String> batches = JobProgress.counting(partition, done);
        if (!batches.hasNext()) {
            return List.of(EvalResult.EMPTY).iterator();
        }
        CropInference inference = new CropInference(model.network(), imageSize, crops);
        EvalResult total = EvalResult.EMPTY;
        while (batches.hasNext()) {
            CacheBatchLoader.Images images = loader.read(batches.next());
            total = total.plus(EvalResult.score(inference.probabilities(images.pixels(), images.labels().length),
                    images.labels()));
        }
        return List.of(total).iterator();
    }
}
