package io.sparkalex.train;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.InputStream;
import java.util.Iterator;
import java.util.List;

/**
 * Executor side of evaluation: rebuilds the network from its configuration and the broadcast
 * parameters, runs it in inference mode (no dropout) over a partition's minibatch files, and
 * returns loss, top-1 and top-5 sums in one pass. One pass for all three is why this exists
 * instead of DL4J's separate {@code evaluate} and {@code calculateScore} jobs.
 */
final class EvaluateBatches implements FlatMapFunction<Iterator<String>, EvalResult> {
    private static final long serialVersionUID = 1L;
    /** Probability floor so one confident mistake gives a large, finite loss (as DL4J clips). */
    private static final double MIN_PROB = 1e-10;

    private final String configurationJson;
    private final Broadcast<INDArray> params;
    private final SerializableConfiguration hadoopConf;

    EvaluateBatches(String configurationJson, Broadcast<INDArray> params, SerializableConfiguration hadoopConf) {
        this.configurationJson = configurationJson;
        this.params = params;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Iterator<EvalResult> call(Iterator<String> paths) throws Exception {
        if (!paths.hasNext()) {
            return List.of(EvalResult.EMPTY).iterator();
        }
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        // The broadcast array itself, not a copy: inference only reads it, and this executor's
        // tasks (and in local mode the driver) share one off-heap copy of the parameters.
        net.init(params.value(), false);
        EvalResult total = EvalResult.EMPTY;
        while (paths.hasNext()) {
            Path path = new Path(paths.next());
            FileSystem fs = path.getFileSystem(hadoopConf.value());
            DataSet ds = new DataSet();
            try (InputStream in = fs.open(path)) {
                ds.load(in);
            }
            INDArray out = net.output(ds.getFeatures(), false);
            total = total.plus(score(out.toFloatMatrix(), ds.getLabels().toFloatMatrix()));
        }
        return List.of(total).iterator();
    }

    /** Loss and top-k hits of softmax outputs against one-hot labels. */
    static EvalResult score(float[][] probs, float[][] oneHot) {
        double loss = 0;
        long top1 = 0;
        long top5 = 0;
        for (int i = 0; i < probs.length; i++) {
            int label = argMax(oneHot[i]);
            float pl = probs[i][label];
            loss -= Math.log(Math.max(pl, MIN_PROB));
            int higher = 0;
            for (int c = 0; c < probs[i].length; c++) {
                if (probs[i][c] > pl || (probs[i][c] == pl && c < label)) {
                    higher++;
                }
            }
            top1 += higher == 0 ? 1 : 0;
            top5 += higher < 5 ? 1 : 0;
        }
        return new EvalResult(probs.length, loss, top1, top5);
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
