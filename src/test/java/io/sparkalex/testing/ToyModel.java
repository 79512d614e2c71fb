package io.sparkalex.testing;

import io.sparkalex.config.JobConfig;
import io.sparkalex.train.TrainingJob;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small AlexNet trained once per test JVM on 3 generated classes until it knows its training
 * images: the model that the evaluate, predict and report tests read. Shared because training it
 * takes most of a minute; tests must only read {@link #out()} and {@link #data()}, never write there.
 */
public final class ToyModel {
    public static final int EPOCHS = 8;
    private static ToyModel instance;

    private final SampleData data;
    private final Path out;
    private final TrainingJob.Result result;

    private ToyModel(SampleData data, Path out, TrainingJob.Result result) {
        this.data = data;
        this.out = out;
        this.result = result;
    }

    public static synchronized ToyModel get() throws Exception {
        if (instance == null) {
            Path dir = Files.createTempDirectory("sparkalex-toy-");
            SampleData data = SampleData.write(dir.resolve("data"), 3, 40, 5);
            Path out = dir.resolve("run");
            JobConfig config = TinyConfig.with("epochs", Integer.toString(EPOCHS), "batch_size", "16",
                    "averaging_frequency", "2", "learning_rate", "1e-3", "dropout", "0", "train_eval_fraction", "1");
            TrainingJob.Result result = new TrainingJob(TestSpark.session(), config, data.locations(out), false).run();
            instance = new ToyModel(data, out, result);
        }
        return instance;
    }

    public SampleData data() {
        return data;
    }

    /** The run's output directory: best.zip, report.html, charts/, eval-test.json... */
    public Path out() {
        return out;
    }

    public Path best() {
        return out.resolve("best.zip");
    }

    public TrainingJob.Result result() {
        return result;
    }
}
