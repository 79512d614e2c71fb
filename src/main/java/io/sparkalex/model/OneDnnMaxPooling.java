package io.sparkalex.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * AlexNet's overlapping max pooling (3x3 windows, stride 2) as a DL4J pooling layer that runs in
 * libnd4j's oneDNN kernels when {@link NativeKernels#oneDnn()}.
 */
public class OneDnnMaxPooling extends SubsamplingLayer {
    /** DL4J's layer with the oneDNN helper attached; a helper DL4J chose itself (cuDNN) is kept. */
    static final class Impl extends org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            helper = helper == null && NativeKernels.oneDnn() ? new MKLDNNSubsamplingHelper(dataType) : helper;
        }
    }

    /** A 3x3 max-pool with stride 2 named {@code name}. */
    public OneDnnMaxPooling(String name) {
        super(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).name(name));
    }

    /** For DL4J's JSON deserialisation. */
    public OneDnnMaxPooling() {
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean init, DataType dataType) {
        return NativeKernels.wire(new Impl(conf, dataType), initializer(), conf, listeners, index, params, init);
    }
}
