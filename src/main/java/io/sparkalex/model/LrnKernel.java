package io.sparkalex.model;

import io.sparkalex.nd4j.DenseArrays;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.LocalResponseNormalizationHelper;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Cross-channel LRN on NCHW activations, plugged into DL4J's layer as its helper.
 *
 * <p>Forward: {@code y = x * D^-beta}, {@code D = k + alpha * S}, {@code S} the sum of {@code x^2}
 * over the {@code n} channels centred on each channel. On a oneDNN CPU backend this runs libnd4j's
 * {@code lrn} op (channels-last, half-width {@code n/2}, alpha not divided by n: it matches DL4J
 * to float rounding); otherwise it is composed from ND4J ops.
 *
 * <p>Backward, exact: {@code dx_m = eps_m D_m^-beta - 2 alpha beta x_m * sum over i near m of
 * (eps_i y_i / D_i)}. DL4J M2 divides that sum by {@code D_m} instead of each {@code D_i} (about
 * 1% off at AlexNet's constants), and libnd4j's {@code lrn_bp} gives wrong gradients; tests check
 * this one against finite differences.
 */
final class LrnKernel implements LocalResponseNormalizationHelper {
    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public boolean checkSupported(double k, double n, double alpha, double beta) {
        return true;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Map.of();
    }

    @Override
    public INDArray activate(INDArray x, boolean training, double k, double n, double alpha, double beta,
                             LayerWorkspaceMgr workspaceMgr) {
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        int half = (int) n / 2;
        if (x.dataType() == DataType.FLOAT && NativeKernels.oneDnn()) {
            INDArray channelsLast = x.permute(0, 2, 3, 1).dup('c');
            Nd4j.exec(DynamicCustomOp.builder("lrn").addInputs(channelsLast).addOutputs(out.permute(0, 2, 3, 1))
                    .addFloatingPointArguments(k, alpha, beta).addIntegerArguments(half).build());
        } else {
            INDArray scale = Transforms.pow(denominator(x, k, half, alpha), -beta, false);
            out.assign(x).muli(scale);
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray x, INDArray eps, double k, double n, double alpha,
                                                     double beta, LayerWorkspaceMgr workspaceMgr) {
        int half = (int) n / 2;
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        if (x.dataType() == DataType.FLOAT && eps.dataType() == DataType.FLOAT && x.rank() == 4) {
            FloatBackward.run(DenseArrays.cOrder(x), DenseArrays.cOrder(eps), dx, k, half, alpha, beta);
            return new Pair<>(new DefaultGradient(), dx);
        }
        INDArray d = denominator(x, k, half, alpha);
        INDArray t = Transforms.pow(d, -beta, true);       // D^-beta
        dx.assign(eps).muli(t);
        t.muli(eps).muli(x).divi(d);                        // eps * y / D, per position
        dx.subi(windowSum(t, half).muli(x).muli(2 * alpha * beta));
        return new Pair<>(new DefaultGradient(), dx);
    }

    /** {@code D = k + alpha * S}, a new array. */
    static INDArray denominator(INDArray x, double k, int half, double alpha) {
        return windowSum(x.mul(x), half).muli(alpha).addi(k);
    }

    /**
     * Sum over channels {@code [c - half, c + half]} (clipped at the edges), a new array. Works one
     * sample at a time: a channel shift is then one contiguous range, which ND4J adds much faster
     * than the strided 4-D view of the whole batch.
     */
    static INDArray windowSum(INDArray a, int half) {
        INDArray src = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        INDArray out = src.dup('c');
        long n = a.size(0);
        long plane = a.size(2) * a.size(3);
        long len = a.size(1) * plane;
        INDArray src2 = src.reshape('c', n, len);
        INDArray out2 = out.reshape('c', n, len);
        for (long s = 0; s < n; s++) {
            for (int shift = 1; shift <= half; shift++) {
                long by = shift * plane;
                out2.get(point(s), interval(by, len)).addi(src2.get(point(s), interval(0, len - by)));
                out2.get(point(s), interval(0, len - by)).addi(src2.get(point(s), interval(by, len)));
            }
        }
        return out;
    }

    /**
     * The backward pass above in one JVM loop per sample over float copies of its planes: two
     * sliding channel windows (running sums, in double) instead of ~15 ND4J passes and 8 small ops
     * per sample, and {@code D^-0.75} as two square roots instead of a power. Samples run in
     * parallel up to ND4J's thread count.
     */
    static final class FloatBackward {
        private FloatBackward() {
        }

        static void run(INDArray x, INDArray eps, INDArray dx, double k, int half, double alpha, double beta) {
            int samples = (int) x.size(0);
            int channels = (int) x.size(1);
            int plane = (int) (x.size(2) * x.size(3));
            FloatBuffer xb = floats(x);
            FloatBuffer eb = floats(eps);
            FloatBuffer db = floats(dx);
            int threads = Math.max(1, Math.min(samples, Nd4j.getEnvironment().maxMasterThreads()));
            IntStream range = IntStream.range(0, samples);
            (threads > 1 ? range.parallel() : range).forEach(s -> sample(xb, eb, db, s, channels, plane, k, half,
                    alpha, beta));
        }

        private static FloatBuffer floats(INDArray a) {
            return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        private static void sample(FloatBuffer xb, FloatBuffer eb, FloatBuffer db, int s, int channels, int plane,
                                   double k, int half, double alpha, double beta) {
            int len = channels * plane;
            float[] x = new float[len];
            float[] e = new float[len];
            float[] out = new float[len];
            float[] t = new float[len];
            xb.duplicate().position(s * len).get(x);
            eb.duplicate().position(s * len).get(e);
            double[] acc = new double[plane];
            boolean threeQuarters = beta == 0.75;
            // Pass 1: S_c = window sum of x^2; out = eps D^-beta, t = eps x D^-beta / D.
            slide(acc, x, true, channels, plane, half, base -> {
                for (int p = 0; p < plane; p++) {
                    double d = k + alpha * acc[p];
                    double r = threeQuarters ? 1 / (Math.sqrt(d) * Math.sqrt(Math.sqrt(d))) : Math.pow(d, -beta);
                    double er = e[base + p] * r;
                    out[base + p] = (float) er;
                    t[base + p] = (float) (er * x[base + p] / d);
                }
            });
            // Pass 2: W_c = window sum of t; dx = out - 2 alpha beta x W.
            double c2 = 2 * alpha * beta;
            slide(acc, t, false, channels, plane, half, base -> {
                for (int p = 0; p < plane; p++) {
                    out[base + p] = (float) (out[base + p] - c2 * x[base + p] * acc[p]);
                }
            });
            db.duplicate().position(s * len).put(out);
        }

        /**
         * Runs {@code atChannel} with the offset of each channel's plane while {@code acc} holds, per
         * position, the sum over channels {@code [c - half, c + half]} (clipped) of {@code src} or
         * of its squares: a running window, one plane added and one dropped per channel.
         */
        private static void slide(double[] acc, float[] src, boolean squares, int channels, int plane, int half,
                                  IntConsumer atChannel) {
            java.util.Arrays.fill(acc, 0);
            for (int c = 0; c < Math.min(half, channels); c++) {
                add(acc, src, c * plane, plane, 1, squares);
            }
            for (int c = 0; c < channels; c++) {
                if (c + half < channels) {
                    add(acc, src, (c + half) * plane, plane, 1, squares);
                }
                if (c - half - 1 >= 0) {
                    add(acc, src, (c - half - 1) * plane, plane, -1, squares);
                }
                atChannel.accept(c * plane);
            }
        }

        private static void add(double[] acc, float[] src, int from, int plane, int sign, boolean squares) {
            for (int p = 0; p < plane; p++) {
                double v = src[from + p];
                acc[p] += sign * (squares ? v * v : v);
            }
        }
    }
}
