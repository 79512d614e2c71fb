package io.sparkalex.train;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.cli.Main;
import io.sparkalex.config.JobConfig;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings a user can switch, each trained through the command line for two epochs and then
 * once more with {@code --fresh}: the run completes, learns, and its checkpoint says what it ran with.
 */
class TrainingVariantsTest {
    @TempDir
    static java.nio.file.Path tmp;
    static SampleData data;

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();
        data = SampleData.write(tmp.resolve("data"), 3, 20, 6);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"optimizer_state, averaged, learning_rate, 1e-3",
        "optimizer, sgd, learning_rate, 0.05",
        "optimizer, nesterovs, learning_rate, 0.01",
        "native_kernels, false, learning_rate, 1e-3"})
    void eachVariantTrainsAndRecordsItsSetting(String key, String value, String lrKey, String lr) throws Exception {
        java.nio.file.Path out = tmp.resolve(key + "-" + value);
        List<String> args = new ArrayList<>(List.of("train", "--csv", data.csv().toUri().toString(),
                "--images", data.images().toUri().toString(), "--out", out.toUri().toString()));
        args.addAll(TinyConfig.flags("epochs", "2", "batch_size", "8", "averaging_frequency", "2", "dropout", "0",
                key, value, lrKey, lr));
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])));
        args.add("--fresh");
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])), "--fresh over a finished run");

        FileSystem fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        var state = new CheckpointStore(fs, new Path(out.toUri())).readState(CheckpointStore.LATEST).orElseThrow();
        assertEquals(value, String.valueOf(JobConfig.fromJson(state.configJson()).values().get(key)));
        List<EpochMetrics> h = state.history();
        assertEquals(2, h.size(), "the fresh run's own two epochs");
        for (EpochMetrics m : h) {
            assertTrue(Double.isFinite(m.trainLoss()) && Double.isFinite(m.valLoss()), m.toString());
        }
        assertTrue(h.get(1).trainLoss() < Math.log(3) + 0.05, "below chance-level loss after two epochs: " + h);
        try (var files = Files.list(out)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("_replaced-")).count());
        }
    }
}
