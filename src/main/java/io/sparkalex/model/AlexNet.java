package io.sparkalex.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * AlexNet as the reference script's layer table gives it, with that script's bugs fixed (fc2 feeds the output
 * layer; LRN and dropout are in): conv1 96@11x11/4, ReLU, LRN, max-pool 3/2; conv2 256@5x5 pad 2,
 * ReLU, LRN, max-pool 3/2; conv3 384, conv4 384, conv5 256 @3x3 pad 1, ReLU; max-pool 3/2;
 * fc1 4096 and fc2 4096 with ReLU and dropout; softmax over N classes.
 *
 * <p>{@code width_factor} scales every width and {@code image_size} the input so tests train the
 * same graph small. LRN uses the paper's constants (k=2, n=5, alpha=1e-4, beta=0.75); DL4J's LRN,
 * like the paper and unlike PyTorch, does not divide alpha by n. {@code native_kernels} picks the
 * layer implementations ({@link NativeKernels}), not the maths.
 */
public final class AlexNet {
    /** Smallest input for which every pooling window still fits (see {@link #geometry}). */
    public static final int MIN_IMAGE_SIZE = 67;

    private AlexNet() {
    }

    /**
     * Network hyper-parameters; everything else is fixed by the architecture. The optimiser is
     * part of a DL4J configuration, so it is given here, but chosen by the caller.
     */
    public record Spec(int imageSize, double widthFactor, int numClasses, double dropout, long seed,
                       IUpdater updater, double weightDecay, boolean nativeKernels, Init init) {
    }

    /**
     * How the weights start. {@code HE} (DL4J's {@code RELU}: N(0, 2/fan_in)) and {@code XAVIER}
     * leave biases at 0. {@code PAPER} is the AlexNet paper's: weights N(0, 0.01), biases 1 in
     * conv2, conv4, conv5, fc1 and fc2 (so their ReLUs start with positive inputs), 0 elsewhere.
     */
    public enum Init {
        HE, XAVIER, PAPER;

        IWeightInit weights() {
            return switch (this) {
                case HE -> WeightInit.RELU.getWeightInitFunction();
                case XAVIER -> WeightInit.XAVIER.getWeightInitFunction();
                case PAPER -> new WeightInitDistribution(new NormalDistribution(0, 0.01));
            };
        }

        /** The bias of a layer whose bias the paper sets to 1. */
        double liftedBias() {
            return this == PAPER ? 1.0 : 0.0;
        }
    }

    static int width(int base, double factor) {
        return Math.max(1, (int) Math.round(base * factor));
    }

    /**
     * Spatial sizes after conv1, pool1, pool2 and pool3 for an input side; throws when a 3x3
     * pooling window would not fit. DL4J does not refuse this itself: below {@link #MIN_IMAGE_SIZE} pixels it silently
     * pools a 2x2 map to 1x1, which is no longer AlexNet.
     */
    public static int[] geometry(int imageSize) {
        int conv1 = (imageSize - 11) / 4 + 1;
        int pool1 = (conv1 - 3) / 2 + 1;
        int pool2 = (pool1 - 3) / 2 + 1;   // conv2..conv5 keep the size (same padding)
        if (imageSize < 11 || conv1 < 3 || pool1 < 3 || pool2 < 3) {
            throw new IllegalArgumentException("input size " + imageSize + " is too small for the AlexNet geometry: "
                    + "every 3x3/2 max-pool needs a 3x3 input, which takes at least " + MIN_IMAGE_SIZE + " pixels");
        }
        int pool3 = (pool2 - 3) / 2 + 1;
        return new int[] {conv1, pool1, pool2, pool3};
    }

    public static MultiLayerConfiguration configuration(Spec s) {
        geometry(s.imageSize());
        double f = s.widthFactor();
        Layers l = new Layers(s.nativeKernels(), s.init().liftedBias());
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(s.seed())
                .updater(s.updater())
                .weightInit(s.init().weights())
                .l2(s.weightDecay())
                .list()
                .layer(l.conv(new ConvolutionLayer.Builder(11, 11).stride(4, 4).nOut(width(96, f))
                        .activation(Activation.RELU).name("conv1")))
                .layer(l.lrn("lrn1"))
                .layer(l.maxPool("pool1"))
                .layer(l.conv(new ConvolutionLayer.Builder(5, 5).padding(2, 2).nOut(width(256, f))
                        .activation(Activation.RELU).biasInit(l.liftedBias()).name("conv2")))
                .layer(l.lrn("lrn2"))
                .layer(l.maxPool("pool2"))
                .layer(l.conv3x3("conv3", width(384, f), 0))
                .layer(l.conv3x3("conv4", width(384, f), l.liftedBias()))
                .layer(l.conv3x3("conv5", width(256, f), l.liftedBias()))
                .layer(l.maxPool("pool3"))
                .layer(new DenseLayer.Builder().nOut(width(4096, f)).activation(Activation.RELU)
                        .biasInit(l.liftedBias()).name("fc1").build())
                // DL4J applies a layer's dropOut to that layer's input: this drops fc1's output ...
                .layer(dropInput(new DenseLayer.Builder(), s.dropout()).nOut(width(4096, f))
                        .activation(Activation.RELU).biasInit(l.liftedBias()).name("fc2").build())
                // ... and this drops fc2's output, as in the paper.
                .layer(dropInput(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT), s.dropout())
                        .nOut(s.numClasses()).activation(Activation.SOFTMAX).name("fc3").build())
                .setInputType(InputType.convolutional(s.imageSize(), s.imageSize(), 3));
        return b.build();
    }

    /** DL4J takes the probability of keeping a unit, and 0 to mean "no dropout". */
    private static <B extends org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<B>> B dropInput(B builder, double dropout) {
        return dropout > 0 ? builder.dropOut(1.0 - dropout) : builder;
    }

    /**
     * Builds conv, LRN and max-pool layers: DL4J's own classes, or (with {@code native_kernels}) the
     * subclasses that run oneDNN kernels and the exact LRN. Both give the same parameter layout.
     */
    private record Layers(boolean nativeKernels, double liftedBias) {
        ConvolutionLayer conv(ConvolutionLayer.Builder b) {
            return nativeKernels ? new OneDnnConvolution(b) : b.build();
        }

        ConvolutionLayer conv3x3(String name, int nOut, double bias) {
            return conv(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(nOut).activation(Activation.RELU)
                    .biasInit(bias).name(name));
        }

        LocalResponseNormalization lrn(String name) {
            return nativeKernels ? new ExactLrn(2, 5, 1e-4, 0.75, name)
                    : new LocalResponseNormalization.Builder(2, 5, 1e-4, 0.75).name(name).build();
        }

        SubsamplingLayer maxPool(String name) {
            return nativeKernels ? new OneDnnMaxPooling(name) : new SubsamplingLayer.Builder(
                    SubsamplingLayer.PoolingType.MAX).kernelSize(3, 3).stride(2, 2).name(name).build();
        }
    }
}
