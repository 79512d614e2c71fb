package io.sparkalex.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Map;

/**
 * Saved models name DL4J's own layer classes, so any DL4J 1.0.0-M2+ loads them with
 * {@code ModelSerializer} and no class of this project; the job swaps its kernels back in after
 * loading. Possible because this project's layers ({@link OneDnnConvolution},
 * {@link OneDnnMaxPooling}, {@link ExactLrn}) add no configuration of their own: each is its DL4J
 * parent with a faster or exact implementation, and only the JSON's {@code @class} differs.
 */
public final class PortableConfiguration {
    /** This project's layer configuration classes and the DL4J classes they extend. */
    static final Map<String, String> STOCK = Map.of(
            OneDnnConvolution.class.getName(), org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class.getName(),
            OneDnnMaxPooling.class.getName(), org.deeplearning4j.nn.conf.layers.SubsamplingLayer.class.getName(),
            ExactLrn.class.getName(), org.deeplearning4j.nn.conf.layers.LocalResponseNormalization.class.getName());

    private PortableConfiguration() {
    }

    /** The configuration JSON with DL4J's layer classes in place of this project's. */
    public static String stockJson(MultiLayerConfiguration conf) {
        String json = conf.toJson();
        for (Map.Entry<String, String> e : STOCK.entrySet()) {
            json = json.replace(quoted(e.getKey()), quoted(e.getValue()));
        }
        return json;
    }

    /**
     * The network with this project's kernels where {@code nativeKernels}, DL4J's layers otherwise,
     * with the same parameters and optimizer state (shared, not copied). Returns {@code net} itself
     * when it already has the layers asked for.
     */
    public static MultiLayerNetwork withKernels(MultiLayerNetwork net, boolean nativeKernels) {
        String json = net.getLayerWiseConfigurations().toJson();
        String wanted = json;
        for (Map.Entry<String, String> e : STOCK.entrySet()) {
            wanted = nativeKernels ? wanted.replace(quoted(e.getValue()), quoted(e.getKey()))
                    : wanted.replace(quoted(e.getKey()), quoted(e.getValue()));
        }
        if (wanted.equals(json)) {
            return net;
        }
        MultiLayerNetwork swapped = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(wanted));
        swapped.init(net.params(), false);
        var state = net.getUpdater().getStateViewArray();
        if (state != null && state.length() > 0) {
            swapped.getUpdater().setStateViewArray(null, state, false);
        }
        return swapped;
    }

    private static String quoted(String className) {
        return '"' + className + '"';
    }
}
