package io.sparkalex.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;

/**
 * Whether this JVM can run AlexNet's convolutions and max-pooling in libnd4j's oneDNN kernels.
 *
 * <p>DL4J 1.0.0-M2 has oneDNN layer helpers but never uses them: helper creation is off by
 * default ({@code org.eclipse.deeplearning4j.helpers.disable=true}) and the availability check
 * looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment}, a class ND4J has since moved. Without
 * them convolution runs as DL4J's Java-side im2col + gemm, several times slower on CPU (measured
 * in bench/NOTES.md). The layers in this
 * package attach the helpers themselves when this check passes, so no JVM flag is needed on the
 * driver or on any executor. The check needs the CPU backend built with oneDNN (the
 * {@code linux-x86_64-onednn} classifier the pom uses); elsewhere (CUDA, other natives) the layers
 * behave exactly like DL4J's.
 */
public final class NativeKernels {
    private static final Logger log = LoggerFactory.getLogger(NativeKernels.class);
    private static volatile Boolean oneDnn;

    private NativeKernels() {
    }

    /** True when the ND4J backend is CPU, built with oneDNN, and native helpers are allowed. */
    public static boolean oneDnn() {
        Boolean v = oneDnn;
        if (v == null) {
            v = detect();
            oneDnn = v;
            log.info("oneDNN kernels for convolution and max-pooling: {}", v ? "on" : "off (DL4J's Java layers)");
        }
        return v;
    }

    private static boolean detect() {
        try {
            String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
            if (!"CPU".equalsIgnoreCase(backend) || !Nd4j.getEnvironment().helpersAllowed()) {
                return false;
            }
            // Reflection: the class exists only in the CPU backend, and the gpu profile compiles without it.
            Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
            Object instance = env.getMethod("getInstance").invoke(null);
            return (boolean) env.getMethod("isUseONEDNN").invoke(instance);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** What every DL4J layer configuration's {@code instantiate} does after creating the layer object. */
    static <L extends AbstractLayer<?>> Layer wire(L layer, ParamInitializer initializer, NeuralNetConfiguration conf,
                                                  Collection<TrainingListener> listeners, int index,
                                                  INDArray paramsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
