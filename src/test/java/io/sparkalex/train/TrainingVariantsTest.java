package io.sparkalex.train;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.cli.Main;
import io.sparkalex.config.JobConfig;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Json;
import io.sparkalex.storage.TestMetrics;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings a user can switch, each trained through the command line: the run learns (the best
 * model's test accuracy at least twice chance's, on 24 held-out images of 3 classes; each of these
 * runs reaches 0.79-1.0 in 5 epochs), its checkpoint says what it ran with, and {@code --fresh}
 * over the finished run starts again, keeping the old outputs aside.
 */
class TrainingVariantsTest {
    static final int CLASSES = 3;
    @TempDir
    static java.nio.file.Path tmp;
    static SampleData data;

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();
        data = SampleData.write(tmp.resolve("data"), CLASSES, 40, 6);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"optimizer_state, averaged, learning_rate, 1e-3",
        "optimizer, sgd, learning_rate, 0.05",
        "optimizer, nesterovs, learning_rate, 0.01",
        "native_kernels, false, learning_rate, 1e-3"})
    void eachVariantLearnsAndRecordsItsSetting(String key, String value, String lrKey, String lr) throws Exception {
        java.nio.file.Path out = tmp.resolve(key + "-" + value);
        List<String> args = new ArrayList<>(List.of("train", "--csv", data.csv().toUri().toString(),
                "--images", data.images().toUri().toString(), "--out", out.toUri().toString()));
        args.addAll(TinyConfig.flags("epochs", "5", "batch_size", "8", "averaging_frequency", "2", "dropout", "0",
                key, value, lrKey, lr));
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])));

        FileSystem fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        var state = new CheckpointStore(fs, new Path(out.toUri())).readState(CheckpointStore.LATEST).orElseThrow();
        assertEquals(value, String.valueOf(JobConfig.fromJson(state.configJson()).values().get(key)));
        List<EpochMetrics> h = state.history();
        assertEquals(5, h.size());
        for (EpochMetrics m : h) {
            assertEquals(84, m.trainImages(), "every training image fitted, every epoch: " + m);
        }
        TestMetrics test = Json.read(Files.readString(out.resolve("test-metrics.json")), TestMetrics.class);
        assertTrue(test.testAcc() >= 2.0 / CLASSES, "learns: test accuracy " + test.testAcc() + " of "
                + test.testImages() + " images, at least twice chance's " + 1.0 / CLASSES + "; " + h);

        args.addAll(List.of("--set", "epochs=1", "--fresh"));
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])), "--fresh over a finished run");
        state = new CheckpointStore(fs, new Path(out.toUri())).readState(CheckpointStore.LATEST).orElseThrow();
        assertEquals(1, state.history().size(), "the fresh run's own epoch");
        try (var files = Files.list(out)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("_replaced-")).count());
        }
    }
}
