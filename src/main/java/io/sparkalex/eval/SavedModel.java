package io.sparkalex.eval;

import io.sparkalex.nd4j.NonFinite;
import io.sparkalex.storage.TrainingState;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model that {@code train} saved ({@code best.zip}, {@code latest.zip} or a copy of one), loaded
 * for {@code evaluate} or {@code predict} ({@code train.SavedModels.load}): the network, its
 * classes in output order, and how it sees an image ({@link ModelInput}), all read from the
 * checkpoint so that it is scored exactly as it was trained.
 */
public record SavedModel(String uri, MultiLayerNetwork network, TrainingState state, ModelInput input) {

    /**
     * This model, if its parameters are all finite; a model saved by a run that diverged (before
     * the job stopped such runs) scores nothing, and {@code evaluate} and {@code predict} say so.
     *
     * @throws TrainingDiverged naming the model and how many parameters are NaN or infinite
     */
    public SavedModel requireFinite() {
        long bad = NonFinite.count(network.params());
        if (bad > 0) {
            throw TrainingDiverged.savedModel(io.sparkalex.storage.Uris.redact(uri), bad);
        }
        return this;
    }

    public List<String> classes() {
        return state.classes();
    }

    /** Readable class names by WordNet id (the id itself where the training data had none). */
    public Map<String, String> names() {
        return state.classNames() == null ? Map.of() : state.classNames();
    }

    /** WordNet id -> output index. */
    public Map<String, Integer> indexById() {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes().size(); i++) {
            index.put(classes().get(i), i);
        }
        return index;
    }
}
