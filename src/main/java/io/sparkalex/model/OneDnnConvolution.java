package io.sparkalex.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A DL4J convolution layer that runs forward and backward in libnd4j's oneDNN kernels when
 * {@link NativeKernels#oneDnn()} (DL4J's own helper wiring is switched off in M2). Same
 * parameters, same maths, same serialised form plus this class name.
 */
public class OneDnnConvolution extends ConvolutionLayer {
    /** DL4J's layer with the oneDNN helper attached; a helper DL4J chose itself (cuDNN) is kept. */
    static final class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            helper = helper == null && NativeKernels.oneDnn() ? new MKLDNNConvHelper(dataType) : helper;
        }
    }

    /** For DL4J's JSON deserialisation. */
    public OneDnnConvolution() {
    }

    public OneDnnConvolution(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean init, DataType dataType) {
        return NativeKernels.wire(new Impl(conf, dataType), initializer(), conf, listeners, index, params, init);
    }
}
