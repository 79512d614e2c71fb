package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.MetricsLog;
import io.sparkalex.testing.Bits;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run stopped after epoch 2 and resumed is the run that was never stopped: the same parameters,
 * optimizer state, data order, augmentation and dropout masks, so the same metrics and weights.
 */
class ExactResumeTest {
    @TempDir
    static java.nio.file.Path tmp;
    static SampleData data;

    @BeforeAll
    static void data() throws Exception {
        data = SampleData.write(tmp.resolve("data"), 3, 20, 4);
    }

    static JobConfig config(int epochs, String... more) {
        String[] base = {"epochs", Integer.toString(epochs), "batch_size", "8", "averaging_frequency", "2",
                "learning_rate", "1e-3", "dropout", "0.5", "augment_crop", "true", "augment_flip", "true"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return TinyConfig.with(all);
    }

    static TrainingJob.Result run(java.nio.file.Path out, JobConfig config, boolean fresh) throws Exception {
        return new TrainingJob(TestSpark.session(), config, data.locations(out), fresh).run();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "optimizer_state={0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"resident", "averaged"})
    void aResumedRunEndsWithTheMetricsAndWeightsOfAnUninterruptedOne(String state) throws Exception {
        TrainingJob.Result whole = run(tmp.resolve("whole-" + state), config(4, "optimizer_state", state), false);
        run(tmp.resolve("resumed-" + state), config(2, "optimizer_state", state), false);
        Files.delete(tmp.resolve("resumed-" + state).resolve(MetricsLog.JSONL));   // as if lost: rewritten from the checkpoint
        TrainingJob.Result resumed = run(tmp.resolve("resumed-" + state), config(4, "optimizer_state", state), false);

        assertEquals(4, resumed.history().size());
        for (int i = 0; i < 4; i++) {
            EpochMetrics a = whole.history().get(i);
            EpochMetrics b = resumed.history().get(i);
            String epoch = "epoch " + (i + 1) + ": " + a + " vs " + b;
            Bits.assertBitIdentical(a.trainLoss(), b.trainLoss(), "train loss, " + epoch);
            Bits.assertBitIdentical(a.valLoss(), b.valLoss(), "val loss, " + epoch);
            Bits.assertBitIdentical(a.trainAcc(), b.trainAcc(), "train accuracy, " + epoch);
            Bits.assertBitIdentical(a.valAcc(), b.valAcc(), "val accuracy, " + epoch);
            Bits.assertBitIdentical(a.lr(), b.lr(), "learning rate, " + epoch);
            assertEquals(a.trainImages(), b.trainImages(), epoch);
        }
        CheckpointStore.Checkpoint wa = latest(tmp.resolve("whole-" + state));
        CheckpointStore.Checkpoint wb = latest(tmp.resolve("resumed-" + state));
        Bits.assertBitIdentical(wa.network().params(), wb.network().params(), "weights after epoch 4");
        Bits.assertBitIdentical(wa.network().getUpdater().getStateViewArray(),
                wb.network().getUpdater().getStateViewArray(), "optimizer state after epoch 4");
        assertEquals(4, Files.readAllLines(tmp.resolve("resumed-" + state).resolve(MetricsLog.JSONL)).size());
        Bits.assertBitIdentical(whole.test().testLoss(), resumed.test().testLoss(), "test loss");
        Bits.assertBitIdentical(whole.test().testAcc(), resumed.test().testAcc(), "test accuracy");
    }

    @Test
    void aFinishedRunIsDoneByItsCheckpointAndFreshStartsOverKeepingTheOldAside() throws Exception {
        java.nio.file.Path out = tmp.resolve("fresh");
        run(out, config(1), false);
        Files.delete(out.resolve("test-metrics.json"));   // "done" is the checkpoint's to say, not this file's
        TrainingJob.Result again = run(out, config(1), false);
        assertTrue(!Files.exists(out.resolve("test-metrics.json")), "nothing was run again");
        assertEquals(1, again.history().size());
        assertNotNull(again.test(), "the finished run's test metrics, read from best.zip");
        assertTrue(Files.exists(out.resolve("_SUCCESS")), "a rerun of a finished run is a success");

        TrainingJob.Result fresh = run(out, config(1), true);
        assertEquals(1, fresh.history().size());
        try (var files = Files.list(out)) {
            java.nio.file.Path aside = files.filter(f -> f.getFileName().toString().startsWith("_replaced-"))
                    .findFirst().orElseThrow();
            assertTrue(Files.exists(aside.resolve("latest.zip")) && Files.exists(aside.resolve("metrics.jsonl")),
                    "the old run's outputs are kept aside");
        }
        assertTrue(Files.exists(out.resolve("test-metrics.json")), "the fresh run wrote its own");
    }

    @Test
    void aResumeThatChangesASettingBuiltIntoTheNetworkStopsAndNamesIt() throws Exception {
        java.nio.file.Path out = tmp.resolve("changed");
        run(out, config(1), false);
        var e = assertThrows(io.sparkalex.config.ConfigError.class, () -> run(out, config(2, "dropout", "0.2"), false));
        assertTrue(e.getMessage().contains("dropout=0.5 (checkpoint) vs dropout=0.2 (this run)"), e.getMessage());
        // The learning rate can change: it applies from the resumed epoch.
        TrainingJob.Result r = run(out, config(2, "learning_rate", "5e-4"), false);
        assertEquals(5e-4, r.history().get(1).lr(), 0);
        assertEquals(1e-3, r.history().get(0).lr(), 0);
    }

    /**
     * workers, batch_size and averaging_frequency as resolved are in the checkpoint (workers = 0 is
     * local[2]'s 2 here); a resume that changes one stops and names old and new, unless asked to
     * accept it.
     */
    @Test
    void aResumeThatChangesTheParallelismStopsUnlessItIsAccepted() throws Exception {
        java.nio.file.Path out = tmp.resolve("parallelism");
        run(out, config(1), false);
        assertEquals(new io.sparkalex.storage.Parallelism(2, 8, 2),
                latest(out).state().parallelism(), "workers = 0 resolved to local[2]'s two");
        var e = assertThrows(io.sparkalex.config.ConfigError.class, () -> run(out, config(2, "workers", "1"), false));
        assertTrue(e.getMessage().contains("workers=2 (checkpoint) vs workers=1 (this run)")
                && e.getMessage().contains("--allow-parallelism-change"), e.getMessage());
        e = assertThrows(io.sparkalex.config.ConfigError.class, () -> run(out, config(2, "batch_size", "4"), false));
        assertTrue(e.getMessage().contains("batch_size=8 (checkpoint) vs batch_size=4 (this run)"), e.getMessage());
        TrainingJob.Result accepted = new TrainingJob(TestSpark.session(), config(2, "averaging_frequency", "1"),
                data.locations(out), false, RunOptions.NONE.allowingParallelismChange()).run();
        assertEquals(2, accepted.history().size());
        assertEquals(new io.sparkalex.storage.Parallelism(2, 8, 1), latest(out).state().parallelism(),
                "the new parallelism is what the checkpoint records from then on");
    }

    private static CheckpointStore.Checkpoint latest(java.nio.file.Path out) throws Exception {
        FileSystem fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        return new CheckpointStore(fs, new Path(out.toUri())).load(CheckpointStore.LATEST).orElseThrow();
    }
}
