package io.sparkalex.eval;

import io.sparkalex.data.EvalTransform;
import io.sparkalex.data.Pixels;
import io.sparkalex.model.EvalCrops;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network's softmax outputs for square images at inference time (no dropout): the centre
 * crop of the input size, or the paper's ten crops with their outputs averaged. Every evaluation
 * and prediction goes through here, so they all see an image the same way.
 */
public final class CropInference {
    private final MultiLayerNetwork net;
    private final int imageSize;
    private final int crops;
    private final EvalTransform transform;

    /** @param crops 1 (centre) or 10 */
    public CropInference(MultiLayerNetwork net, int imageSize, int crops) {
        if (!EvalCrops.allowed(crops)) {
            throw new IllegalArgumentException(EvalCrops.refusal("crops", crops));
        }
        this.net = net;
        this.imageSize = imageSize;
        this.crops = crops;
        this.transform = new EvalTransform(imageSize);
    }

    /** Class probabilities of the first {@code n} images, one row each. */
    public float[][] probabilities(Pixels[] images, int n) {
        int per = 3 * imageSize * imageSize;
        INDArray sum = null;
        for (int k = 0; k < crops; k++) {
            float[] x = new float[n * per];
            for (int i = 0; i < n; i++) {
                if (crops == 1) {
                    transform.centre(images[i], x, i * per);
                } else {
                    transform.crop(images[i], k, x, i * per);
                }
            }
            INDArray out = net.output(Nd4j.create(x, new long[] {n, 3, imageSize, imageSize}, 'c'), false);
            sum = sum == null ? out.dup() : sum.addi(out);
        }
        return (crops == 1 ? sum : sum.divi(crops)).toFloatMatrix();
    }
}
