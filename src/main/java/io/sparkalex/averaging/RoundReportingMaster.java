package io.sparkalex.averaging;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

/**
 * DL4J's parameter-averaging master, plus a callback after each averaging round. DL4J splits an
 * epoch into rounds itself and says nothing while it runs them; the training loop needs them for
 * its progress line, and this is the one place that knows both the round and how many there are.
 */
public class RoundReportingMaster extends ParameterAveragingTrainingMaster {
    private static final long serialVersionUID = 1L;

    /** Told on the driver when a round's parameters have been averaged. */
    @FunctionalInterface
    public interface RoundListener {
        /** {@code round} counts from 1 to {@code rounds} within one {@code fitPaths} call. */
        void roundDone(int round, int rounds);
    }

    private transient RoundListener listener;

    /** @param settings DL4J's builder with the workers, batch size, averaging frequency and prefetch */
    public RoundReportingMaster(Builder settings) {
        super(settings);
    }

    public void setRoundListener(RoundListener listener) {
        this.listener = listener;
    }

    @Override
    protected void doIterationPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> split,
                                    int splitNum, int numSplits, int dataSetObjectNumExamples,
                                    DataSetLoader dsLoader, MultiDataSetLoader mdsLoader) {
        super.doIterationPaths(network, graph, split, splitNum, numSplits, dataSetObjectNumExamples, dsLoader,
                mdsLoader);
        if (listener != null) {
            listener.roundDone(splitNum, numSplits); // DL4J numbers splits from 1
        }
    }
}
