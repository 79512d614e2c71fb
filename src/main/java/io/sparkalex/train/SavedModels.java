package io.sparkalex.train;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.eval.ModelInput;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.model.PortableConfiguration;
import io.sparkalex.storage.CheckpointStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * Loads a model {@code train} saved, for scoring, promotion or a warm start: the checkpoint read,
 * its configuration parsed (here, where the job's configuration is known, so scoring needs none),
 * this build's kernels swapped in as that configuration asks.
 */
public final class SavedModels {
    private SavedModels() {
    }

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
        JobConfig config = configOf(c.state().configJson());
        return new SavedModel(uri, PortableConfiguration.withKernels(c.network(), config.nativeKernels), c.state(),
                new ModelInput(config.imageSize, config.resizeSize, config.evalCrops, config.batchSize,
                        config.maxImageBytes));
    }

    /** The configuration a saved model was trained with. */
    static JobConfig configOf(String configJson) {
        return JobConfig.fromJson(configJson);
    }
}
