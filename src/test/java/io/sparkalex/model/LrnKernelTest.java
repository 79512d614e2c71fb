package io.sparkalex.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.layers.normalization.LocalResponseNormalizationHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LRN kernel against DL4J's forward pass and against finite differences. */
class LrnKernelTest {
    static final double K = 2, N = 5, ALPHA = 1e-4, BETA = 0.75;
    final LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
    final LocalResponseNormalizationHelper kernel = new LrnKernel();

    static double maxAbsDiff(INDArray a, INDArray b) {
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }

    /** DL4J's own layer, the reference for the forward pass. */
    static INDArray dl4jForward(INDArray x) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(x.dataType())
                .layer(new LocalResponseNormalization.Builder(K, N, ALPHA, BETA).build()).build();
        var layer = conf.getLayer().instantiate(conf, null, 0, null, false, x.dataType());
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(false, LayerWorkspaceMgr.noWorkspaces());
    }

    @Test
    void forwardMatchesDl4jOnTheOneDnnPathAndTheComposedPath() {
        Nd4j.getRandom().setSeed(1);
        // Activations of AlexNet's conv1 are 0..~100: a scale where alpha * sum(x^2) matters.
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {   // FLOAT takes the lrn op
            INDArray x = Nd4j.rand(type, 4, 16, 9, 9).muli(60);
            INDArray y = kernel.activate(x, false, K, N, ALPHA, BETA, noWorkspaces);
            INDArray expected = dl4jForward(x);
            double scale = Transforms.abs(expected).maxNumber().doubleValue();
            assertTrue(maxAbsDiff(y, expected) < 1e-5 * scale, type + ": " + maxAbsDiff(y, expected));
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 8, 3, 3).muli(60);
        INDArray eps = Nd4j.randn(DataType.DOUBLE, 2, 8, 3, 3);
        INDArray analytic = kernel.backpropGradient(x, eps, K, N, ALPHA, BETA, noWorkspaces).getSecond();
        INDArray numeric = x.ulike();
        double h = 1e-4;
        for (long i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            x.putScalar(i, v + h);
            double plus = kernel.activate(x, false, K, N, ALPHA, BETA, noWorkspaces).mul(eps).sumNumber().doubleValue();
            x.putScalar(i, v - h);
            double minus = kernel.activate(x, false, K, N, ALPHA, BETA, noWorkspaces).mul(eps).sumNumber().doubleValue();
            x.putScalar(i, v);
            numeric.putScalar(i, (plus - minus) / (2 * h));
        }
        double scale = Transforms.abs(numeric).maxNumber().doubleValue();
        assertTrue(maxAbsDiff(analytic, numeric) < 1e-6 * scale, "max |analytic - numeric| = "
                + maxAbsDiff(analytic, numeric) + " of " + scale);
    }

    /** The float path (one JVM loop) against the composed double path, on views, for two (n, beta). */
    @Test
    void floatBackwardMatchesTheComposedBackward() {
        Nd4j.getRandom().setSeed(4);
        for (double[] nBeta : new double[][] {{N, BETA}, {3, 0.6}}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 3, 9, 7, 16).muli(60).permute(0, 3, 1, 2);   // a view
            INDArray eps = Nd4j.randn(DataType.FLOAT, 3, 16, 9, 7);
            INDArray fast = kernel.backpropGradient(x, eps, K, nBeta[0], ALPHA, nBeta[1], noWorkspaces).getSecond();
            INDArray exact = kernel.backpropGradient(x.castTo(DataType.DOUBLE), eps.castTo(DataType.DOUBLE), K,
                    nBeta[0], ALPHA, nBeta[1], noWorkspaces).getSecond();
            double scale = Transforms.abs(exact).maxNumber().doubleValue();
            double diff = maxAbsDiff(fast.castTo(DataType.DOUBLE), exact);
            assertTrue(diff < 1e-5 * scale, "n=" + nBeta[0] + " beta=" + nBeta[1] + ": " + diff + " of " + scale);
        }
    }

    @Test
    void windowSumClipsAtTheFirstAndLastChannel() {
        INDArray a = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {1, 6, 1, 1});
        INDArray s = LrnKernel.windowSum(a, 2);
        assertTrue(maxAbsDiff(s, Nd4j.create(new float[] {6, 10, 15, 20, 18, 15}, new long[] {1, 6, 1, 1})) == 0,
                s.toString());
    }
}
