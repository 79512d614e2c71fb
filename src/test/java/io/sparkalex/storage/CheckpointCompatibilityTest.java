package io.sparkalex.storage;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.cli.Main;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints written by earlier builds stay usable: each {@code latest.zip} under
 * {@code src/test/resources/checkpoints/<commit>/} (a small network trained by that build, as the
 * folder's README says) loads, resumes for one more epoch, and is evaluated by this build. A change
 * of the zip's layout, of the state's JSON (every value it wrote must read back as written) or of
 * the configuration keys that breaks them fails here.
 */
class CheckpointCompatibilityTest {
    static final java.nio.file.Path FIXTURES = java.nio.file.Path.of(System.getProperty("sparkalex.root", "."),
            "src/test/resources/checkpoints");
    @TempDir
    java.nio.file.Path tmp;

    static Stream<String> builds() throws Exception {
        try (Stream<java.nio.file.Path> dirs = Files.list(FIXTURES)) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "written by {0}")
    @MethodSource("builds")
    void anEarlierBuildsCheckpointLoadsResumesAndIsEvaluated(String build) throws Exception {
        java.nio.file.Path zip = FIXTURES.resolve(build).resolve("latest.zip");
        FileSystem fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        SavedModel saved = io.sparkalex.train.SavedModels.load(zip.toUri().toString(), new org.apache.hadoop.conf.Configuration());
        assertEquals(2, saved.state().epoch());
        assertEquals(List.of("n02091244", "n02114548", "n02138441"), saved.classes());
        assertTrue(saved.state().provenance().gitCommit().startsWith(build), saved.state().provenance().gitCommit());
        List<EpochMetrics> before = saved.state().history();
        JsonNode written;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            written = Json.MAPPER.readTree(z.getInputStream(z.getEntry(CheckpointStore.STATE_ENTRY)));
        }
        assertReadBack(written, Json.MAPPER.valueToTree(saved.state()), "state");

        SampleData data = SampleData.write(tmp.resolve("data"), 3, 20, 11);   // the data the fixture was trained on
        java.nio.file.Path out = Files.createDirectories(tmp.resolve("run"));
        Files.copy(zip, out.resolve(CheckpointStore.LATEST));
        List<String> args = new ArrayList<>(List.of("train", "--csv", data.csv().toUri().toString(),
                "--images", data.images().toUri().toString(), "--out", out.toUri().toString()));
        args.addAll(TinyConfig.flags("epochs", "3", "width_factor", "0.0625", "batch_size", "8",
                "averaging_frequency", "2", "learning_rate", "1e-3", "dropout", "0", "workers", "2"));
        TestSpark.session();
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])), "resumed for a third epoch");
        TrainingState resumed = new CheckpointStore(fs, new Path(out.toUri())).readState(CheckpointStore.LATEST)
                .orElseThrow();
        assertEquals(3, resumed.history().size());
        assertEquals(before, resumed.history().subList(0, 2), "the earlier build's epochs, as it recorded them");
        assertEquals(42, resumed.history().get(2).trainImages(), "epoch 3 fitted every training image");

        java.nio.file.Path eval = tmp.resolve("eval");
        assertEquals(ExitCode.OK, Main.execute("evaluate", "--model", zip.toUri().toString(), "--csv",
                data.csv().toUri().toString(), "--images", data.images().toUri().toString(), "--split", "test",
                "--out", eval.toUri().toString()));
        var report = Json.MAPPER.readTree(Files.readString(eval.resolve("eval-test.json")));
        assertEquals(12, report.path("images").asLong(), "the test split's 12 images scored");
        assertTrue(Double.isFinite(report.path("loss").asDouble()));
    }

    /**
     * Every value the earlier build wrote is read back as it was (fields this build added may
     * follow): a renamed or retyped field would otherwise load as its default without an error.
     */
    private static void assertReadBack(JsonNode written, JsonNode read, String where) {
        assertTrue(read != null && !read.isMissingNode(), where + " was written but is not read back");
        if (written.isObject()) {
            written.fields().forEachRemaining(f -> assertReadBack(f.getValue(), read.get(f.getKey()),
                    where + "." + f.getKey()));
        } else if (written.isArray()) {
            assertEquals(written.size(), read.size(), where + " length");
            for (int i = 0; i < written.size(); i++) {
                assertReadBack(written.get(i), read.get(i), where + "[" + i + "]");
            }
        } else if (written.isNumber() && read.isNumber()) {
            assertEquals(written.asDouble(), read.asDouble(), where);
        } else {
            assertEquals(written.asText(), read.asText(), where);
        }
    }
}
