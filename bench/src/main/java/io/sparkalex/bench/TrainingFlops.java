package io.sparkalex.bench;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.List;

/**
 * Floating-point work of one training step per image, from the configuration: multiply-adds of
 * the convolution and dense layers (LRN, pooling and activations are a few percent). A training
 * step is forward + backward (gradients for inputs and weights), about 3x the forward work.
 */
final class TrainingFlops {
    private TrainingFlops() {
    }

    static double forwardMacs(MultiLayerConfiguration conf, int imageSize) {
        List<InputType> outs = conf.getLayerActivationTypes(InputType.convolutional(imageSize, imageSize, 3));
        double macs = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            macs += layerMacs(conf, outs, i);
        }
        return macs;
    }

    /** Layer {@code i}'s forward multiply-adds per image; {@code outs}: the layers' activation types. */
    static double layerMacs(MultiLayerConfiguration conf, List<InputType> outs, int i) {
        Layer layer = conf.getConf(i).getLayer();
        if (layer instanceof ConvolutionLayer c) {
            InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) outs.get(i);
            return (double) c.getNOut() * o.getHeight() * o.getWidth() * c.getNIn()
                    * c.getKernelSize()[0] * c.getKernelSize()[1];
        }
        return layer instanceof FeedForwardLayer f ? (double) f.getNIn() * f.getNOut() : 0;
    }

    /** 2 FLOP per multiply-add, 3 passes. */
    static double trainingFlopsPerImage(MultiLayerConfiguration conf, int imageSize) {
        return 3 * 2 * forwardMacs(conf, imageSize);
    }
}
