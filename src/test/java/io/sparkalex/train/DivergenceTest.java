package io.sparkalex.train;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.cli.Main;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Json;
import io.sparkalex.storage.RunStatus;
import io.sparkalex.storage.TrainingState;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learning rate that diverges, as a new user might try (SGD at 10): the run stops with exit 6,
 * a message naming the epoch (and round and partition), {@code run-status.json} failed with that
 * reason, no {@code _SUCCESS}, the last good checkpoint untouched and, with {@code --promote-to},
 * production unchanged. Before, it reported accuracy 1.0 (every comparison with NaN is false) and
 * succeeded, or ended in a NullPointerException when asked to promote.
 */
class DivergenceTest {
    @TempDir
    static java.nio.file.Path tmp;
    static SampleData data;
    static final FileSystem LOCAL = localFs();

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();
        data = SampleData.write(tmp.resolve("data"), 3, 20, 7);
    }

    static List<String> train(java.nio.file.Path out, String... keyValues) {
        List<String> args = new ArrayList<>(List.of("train", "--csv", data.csv().toUri().toString(),
                "--images", data.images().toUri().toString(), "--out", out.toUri().toString()));
        List<String> settings = new ArrayList<>(List.of("epochs", "2", "batch_size", "8", "averaging_frequency", "2",
                "optimizer", "sgd"));
        settings.addAll(List.of(keyValues));
        args.addAll(TinyConfig.flags(settings.toArray(new String[0])));
        return args;
    }

    /**
     * Both averaging masters. (Gradient sharing does not diverge this way: its threshold encoding
     * moves each parameter by at most the threshold per update, so SGD at 10 trains at chance with
     * finite parameters; the same end-of-epoch check guards it.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resident", "averaged"})
    void aDivergingRunFailsWithItsOwnExitCodeAndWritesNoSuccess(String mode) throws Exception {
        java.nio.file.Path out = tmp.resolve("diverging-" + mode);
        List<String> args = train(out, "learning_rate", "10");
        if (mode.equals("averaged")) {
            args.addAll(List.of("--set", "optimizer_state=averaged"));
        }
        assertEquals(ExitCode.DIVERGED, Main.execute(args.toArray(new String[0])));
        RunStatus status = Json.read(Files.readString(out.resolve("run-status.json")), RunStatus.class);
        assertEquals(RunStatus.State.FAILED, status.state());
        assertEquals(ExitCode.DIVERGED, status.exitCode());
        assertTrue(status.reason().matches("training diverged in epoch 1: round \\d+ of \\d+.*"), status.reason());
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(out.resolve("latest.zip")), "nothing of the diverged epoch is saved");
        assertFalse(Files.exists(out.resolve("best.zip")));
    }

    /**
     * A nightly run that diverges in its second epoch: the first epoch's checkpoint and metrics keep
     * their bytes, and the model in production, promoted by an earlier good run, keeps its own.
     */
    @Test
    void aDivergingResumeKeepsTheLastGoodCheckpointAndPromotesNothing() throws Exception {
        java.nio.file.Path production = tmp.resolve("production");
        java.nio.file.Path good = tmp.resolve("good");
        List<String> first = train(good, "epochs", "1", "learning_rate", "0.01");
        first.addAll(List.of("--promote-to", production.toUri().toString()));
        assertEquals(ExitCode.OK, Main.execute(first.toArray(new String[0])));
        assertTrue(Files.exists(production.resolve("model.zip")), "the first good run was promoted");
        byte[] model = Files.readAllBytes(production.resolve("model.zip"));
        byte[] decision = Files.readAllBytes(production.resolve("promotion.json"));

        java.nio.file.Path out = tmp.resolve("nightly");
        List<String> night = train(out, "epochs", "1", "learning_rate", "0.01");
        night.addAll(List.of("--promote-to", production.toUri().toString()));
        Main.execute(night.toArray(new String[0]));
        byte[] latest = Files.readAllBytes(out.resolve("latest.zip"));
        byte[] best = Files.readAllBytes(out.resolve("best.zip"));
        byte[] metrics = Files.readAllBytes(out.resolve("metrics.jsonl"));
        model = Files.readAllBytes(production.resolve("model.zip"));
        decision = Files.readAllBytes(production.resolve("promotion.json"));

        List<String> diverging = train(out, "epochs", "2", "learning_rate", "10");
        diverging.addAll(List.of("--promote-to", production.toUri().toString()));
        assertEquals(ExitCode.DIVERGED, Main.execute(diverging.toArray(new String[0])));
        assertArrayEquals(latest, Files.readAllBytes(out.resolve("latest.zip")), "the last good checkpoint");
        assertArrayEquals(best, Files.readAllBytes(out.resolve("best.zip")));
        assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.jsonl")));
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
        assertArrayEquals(model, Files.readAllBytes(production.resolve("model.zip")), "production's model");
        assertArrayEquals(decision, Files.readAllBytes(production.resolve("promotion.json")));
        RunStatus status = Json.read(Files.readString(out.resolve("run-status.json")), RunStatus.class);
        assertEquals(RunStatus.State.FAILED, status.state());
        assertTrue(status.reason().startsWith("training diverged in epoch 2: round "), status.reason());
        assertEquals(1, status.epoch(), "the last good epoch");
    }

    /**
     * A checkpoint that an earlier build saved from a diverged run (NaN parameters, no best epoch):
     * {@code evaluate} and a promoting rerun say so with exit 6, never a NullPointerException.
     */
    @Test
    void aModelWithNoBestEpochIsRefusedWithAClearMessage() throws Exception {
        java.nio.file.Path fixture = java.nio.file.Path.of(System.getProperty("sparkalex.root", "."),
                "src/test/resources/checkpoints/003613e/latest.zip");
        CheckpointStore.Checkpoint old = CheckpointStore.read(LOCAL, new Path(fixture.toUri()));
        TrainingState s = old.state();
        List<EpochMetrics> nanHistory = s.history().stream().map(m -> new EpochMetrics(m.epoch(), Double.NaN, 1.0,
                Double.NaN, 1.0, null, m.imagesPerSec(), m.epochSeconds(), m.trainSeconds(), m.evalSeconds(), m.lr(),
                m.trainImages(), m.valImages(), m.timestamp(), null, null, null)).toList();
        old.network().params().assign(Float.NaN);
        java.nio.file.Path out = tmp.resolve("old-diverged");
        new CheckpointStore(LOCAL, new Path(out.toUri())).save(CheckpointStore.LATEST, old.network(),
                io.sparkalex.model.PortableConfiguration.stockJson(old.network().getLayerWiseConfigurations()),
                new TrainingState(s.epoch(), Double.POSITIVE_INFINITY, 0, s.configJson(), s.classes(), s.classNames(),
                        nanHistory, s.provenance(), null, s.data(), null));
        SampleData fixtureData = SampleData.write(tmp.resolve("fixture-data"), 3, 20, 11);   // the fixture's classes

        assertEquals(ExitCode.DIVERGED, Main.execute("evaluate", "--model", out.resolve("latest.zip").toUri().toString(),
                "--csv", fixtureData.csv().toUri().toString(), "--images", fixtureData.images().toUri().toString(),
                "--split", "val", "--out", tmp.resolve("old-eval").toUri().toString()));

        List<String> args = new ArrayList<>(List.of("train", "--csv", fixtureData.csv().toUri().toString(),
                "--images", fixtureData.images().toUri().toString(), "--out", out.toUri().toString(),
                "--promote-to", tmp.resolve("old-production").toUri().toString()));
        args.addAll(TinyConfig.flags("epochs", "2", "width_factor", "0.0625", "batch_size", "8", "averaging_frequency",
                "2", "learning_rate", "1e-3", "dropout", "0", "workers", "2"));
        assertEquals(ExitCode.DIVERGED, Main.execute(args.toArray(new String[0])));
        RunStatus status = Json.read(Files.readString(out.resolve("run-status.json")), RunStatus.class);
        assertTrue(status.reason().contains("no best model to test or promote"), status.reason());
        assertFalse(Files.exists(tmp.resolve("old-production").resolve("model.zip")), "nothing promoted");
    }

    private static FileSystem localFs() {
        try {
            return FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
