package io.sparkalex.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Local response normalisation across channels, computed by {@link LrnKernel}: the same forward
 * pass as DL4J's layer, an exact backward pass (DL4J M2's divides by the wrong position's
 * denominator, libnd4j's {@code lrn_bp} is wrong outright), and faster on CPU (bench/NOTES.md).
 */
public class ExactLrn extends LocalResponseNormalization {
    /** DL4J's layer with {@link LrnKernel} as its helper (for NCHW activations, which AlexNet's are). */
    static final class Impl extends org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            if (layerConf().getDataFormat() == CNN2DFormat.NCHW) {
                helper = new LrnKernel();
            }
        }
    }

    /** For DL4J's JSON deserialisation. */
    public ExactLrn() {
    }

    /** {@code b = a / (k + alpha * sum of a^2 over n adjacent channels)^beta}, alpha not divided by n. */
    public ExactLrn(double k, int n, double alpha, double beta, String name) {
        setK(k);
        setN(n);
        setAlpha(alpha);
        setBeta(beta);
        setLayerName(name);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean init, DataType dataType) {
        return NativeKernels.wire(new Impl(conf, dataType), initializer(), conf, listeners, index, params, init);
    }
}
