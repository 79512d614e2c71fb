package io.sparkalex.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** A DL4J pooling layer that runs in libnd4j's oneDNN kernels when {@link NativeKernels#oneDnn()}. */
public class OneDnnMaxPooling extends SubsamplingLayer {
    /** For DL4J's JSON deserialisation. */
    public OneDnnMaxPooling() {
    }

    public OneDnnMaxPooling(SubsamplingLayer.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        return NativeKernels.wire(new Impl(conf, dataType), initializer(), conf, listeners, index, paramsView,
                initializeParams);
    }

    static final class Impl extends org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            if (helper == null && NativeKernels.oneDnn()) {
                helper = new MKLDNNSubsamplingHelper(dataType);
            }
        }
    }
}
