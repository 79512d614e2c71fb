package io.sparkalex.eval;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.model.PortableConfiguration;
import io.sparkalex.nd4j.NonFinite;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.TrainingState;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model that {@code train} saved ({@code best.zip}, {@code latest.zip} or a copy of one), loaded
 * for {@code evaluate} or {@code predict}: the network, its classes in output order, and how it
 * sees an image (input size and the square it is cropped from), all read from the checkpoint so
 * that it is scored exactly as it was trained.
 */
public record SavedModel(String uri, MultiLayerNetwork network, TrainingState state, JobConfig config) {

    /** Reads the model at {@code uri}, any Hadoop URI; a missing or foreign file is a usage error. */
    public static SavedModel load(String uri, Configuration hadoop) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.exists(path) || fs.getFileStatus(path).isDirectory()) {
            throw new ConfigError("--model " + uri + " is not a file (give a model zip such as <out>/best.zip)");
        }
        CheckpointStore.Checkpoint c;
        try {
            c = CheckpointStore.read(fs, path);
        } catch (IOException e) {
            throw new ConfigError("--model " + uri + " cannot be read as a sparkalex model: " + e.getMessage());
        }
        JobConfig config = JobConfig.fromJson(c.state().configJson());
        return new SavedModel(uri, PortableConfiguration.withKernels(c.network(), config.nativeKernels), c.state(),
                config);
    }

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
