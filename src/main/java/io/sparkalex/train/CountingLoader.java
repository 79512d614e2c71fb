package io.sparkalex.train;

import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;

/**
 * A minibatch loader that counts every minibatch it loads into a Spark accumulator: the progress
 * of an epoch whose training is DL4J's own loop (sharing mode), which reports no rounds. A
 * minibatch counts when its worker's prefetch loads it, at most {@code prefetch} ahead of its fit.
 */
record CountingLoader(DataSetLoader loader, LongAccumulator loaded) implements DataSetLoader {

    @Override
    public DataSet load(Source source) throws IOException {
        DataSet minibatch = loader.load(source);
        loaded.add(1);
        return minibatch;
    }
}
