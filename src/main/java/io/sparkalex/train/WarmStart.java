package io.sparkalex.train;

import io.sparkalex.storage.Uris;
import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.eval.SavedModel;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code --warm-start MODEL}: a new run's network starts from an earlier model's weights instead
 * of random ones; the optimiser state (Adam's moments, momentum) starts fresh, as in a new run.
 * The classes must be the same, in the same order; when they changed, the output layer can be
 * started afresh ({@code --warm-start-reinit-output}) while every other layer keeps its weights.
 */
final class WarmStart {
    private static final Logger log = LoggerFactory.getLogger(WarmStart.class);

    private WarmStart() {
    }

    /** Copies {@code from}'s weights into {@code network}, which was just initialised for {@code config}. */
    static void apply(MultiLayerNetwork network, SavedModel from, JobConfig config, ClassIndex classes,
                      boolean reinitOutput) {
        boolean sameClasses = from.classes().equals(classes.ids());
        if (!sameClasses && !reinitOutput) {
            throw new ConfigError("--warm-start " + from.uri() + " was trained on classes " + from.classes()
                    + " but this run's train split has " + classes.ids() + "; pass --warm-start-reinit-output to "
                    + "keep every layer but the output layer, or start without --warm-start");
        }
        List<String> shapeKeys = List.of("image_size", "width_factor");
        Map<String, Object> mine = config.values();
        Map<String, Object> theirs = SavedModels.configOf(from.state().configJson()).values();
        for (String key : shapeKeys) {
            if (!String.valueOf(mine.get(key)).equals(String.valueOf(theirs.get(key)))) {
                throw new ConfigError("--warm-start " + from.uri() + " has " + key + "=" + theirs.get(key)
                        + " but this run has " + key + "=" + mine.get(key) + ": the layer shapes differ");
            }
        }
        Layer[] target = network.getLayers();
        Layer[] source = from.network().getLayers();
        if (target.length != source.length) {
            throw new ConfigError("--warm-start " + from.uri() + " has " + source.length + " layers, this network "
                    + target.length);
        }
        int copied = sameClasses ? target.length : target.length - 1;
        for (int i = 0; i < copied; i++) {
            for (Map.Entry<String, INDArray> p : source[i].paramTable().entrySet()) {
                INDArray into = target[i].getParam(p.getKey());
                if (into == null || !Arrays.equals(into.shape(), p.getValue().shape())) {
                    throw new ConfigError("--warm-start " + from.uri() + ": layer " + i + " parameter " + p.getKey()
                            + " has shape " + Arrays.toString(p.getValue().shape()) + ", this network "
                            + (into == null ? "none" : Arrays.toString(into.shape())));
                }
                into.assign(p.getValue());
            }
        }
        log.info("warm start from {} (epoch {} of its run): {} layers copied{}; optimiser state fresh",
                Uris.redact(from.uri()),
                from.state().epoch(), copied, sameClasses ? "" : ", output layer new for the classes " + classes.ids());
    }
}
