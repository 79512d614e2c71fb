package io.sparkalex.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;

/**
 * A DL4J convolution layer that runs forward and backward in libnd4j's oneDNN kernels when
 * {@link NativeKernels#oneDnn()} (DL4J's own helper wiring is switched off in M2). Same
 * parameters, same maths, same serialised form plus this class name.
 *
 * <p>As the network's first layer (conv1) with oneDNN, its backward pass computes the weight and
 * bias gradients only (im2col + one gemm, as DL4J's Java path does) and returns no input
 * gradient: {@code fit} discards the gradient with respect to the images, and libnd4j's
 * {@code conv2d_bp} always computes it, which for an 11x11 stride-4 kernel over 227x227 images
 * was most of conv1's backward time. Callers wanting input gradients (saliency maps) get null.
 */
public class OneDnnConvolution extends ConvolutionLayer {
    /** For DL4J's JSON deserialisation. */
    public OneDnnConvolution() {
    }

    public OneDnnConvolution(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        return NativeKernels.wire(new Impl(conf, dataType), initializer(), conf, listeners, index, paramsView,
                initializeParams);
    }

    static final class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            if (helper == null && NativeKernels.oneDnn()) {
                helper = new MKLDNNConvHelper(dataType);
            }
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (getIndex() != 0 || !(helper instanceof MKLDNNConvHelper)
                    || layerConf().getCnn2dDataFormat() != CNN2DFormat.NCHW
                    || layerConf().getConvolutionMode() == ConvolutionMode.Same) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            return parameterGradientsOnly(epsilon, workspaceMgr);
        }

        /** DL4J's Java backward pass for the weights and bias, without the input gradient. */
        private Pair<Gradient, INDArray> parameterGradientsOnly(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray input = this.input.castTo(dataType);
            INDArray eps = epsilon.castTo(dataType);
            long miniBatch = input.size(0);
            long outDepth = weights.size(0);
            long inDepth = weights.size(1);
            int kH = (int) weights.size(2);
            int kW = (int) weights.size(3);
            long outH = eps.size(2);
            long outW = eps.size(3);
            int[] strides = layerConf().getStride();
            int[] pad = layerConf().getPadding();
            int[] dilation = layerConf().getDilation();

            INDArray z = preOutput4d(true, true, workspaceMgr).getFirst();
            INDArray delta = layerConf().getActivationFn().backprop(z, eps).getFirst();
            INDArray delta2d = delta.permute(1, 0, 2, 3).reshape('c', outDepth, miniBatch * outH * outW);

            // im2col in the order [miniBatch, outH, outW, inDepth, kH, kW], so the 2d view is free.
            INDArray col = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                    new long[] {miniBatch, outH, outW, inDepth, kH, kW}, 'c');
            Convolution.im2col(input, kH, kW, strides[0], strides[1], pad[0], pad[1], dilation[0], dilation[1],
                    false, col.permute(0, 3, 4, 5, 1, 2));
            INDArray col2d = col.reshape('c', miniBatch * outH * outW, inDepth * kH * kW);

            INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray weightGrad2df = Shape.newShapeNoCopy(weightGrad, new long[] {outDepth, inDepth * kH * kW},
                    false).transpose();
            Nd4j.gemm(col2d, delta2d, weightGrad2df, true, true, 1.0, 0.0);

            Gradient gradient = new DefaultGradient();
            if (layerConf().hasBias()) {
                INDArray biasGrad = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
                delta2d.sum(biasGrad, 1);
                gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGrad);
            }
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
            weightNoiseParams.clear();
            return new Pair<>(gradient, null);
        }
    }
}
