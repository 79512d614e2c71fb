package io.sparkalex.eval;

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
            total = total.plus(EvalResult.score(out.toFloatMatrix(), ds.getLabels().toFloatMatrix()));
        }
        return List.of(total).iterator();
    }
}
