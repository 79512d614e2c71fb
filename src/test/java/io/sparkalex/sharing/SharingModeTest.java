package io.sparkalex.sharing;

import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import io.sparkalex.train.TrainingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient sharing in local mode, through the job: learns, checkpoints and records epochs as
 * averaging does, and resumes. The tiny network needs a coarser threshold than the default to
 * learn in a few epochs (sharing_threshold 1e-3: its updates are small, and at 1e-4 most of them
 * wait in the residual; 3 classes, test accuracy 1.0 in 5 epochs in two runs, 0.67-0.71 at 1e-4).
 * Runs do not repeat to the bit (updates cross UDP as they arrive): the bound is twice chance.
 */
class SharingModeTest {
    static final int CLASSES = 3;
    @TempDir
    Path tmp;

    @Test
    void sharingLearnsCheckpointsEachEpochAndResumes() throws Exception {
        SampleData data = SampleData.write(tmp.resolve("data"), CLASSES, 40, 6);
        Path out = tmp.resolve("out");
        long refusedBefore = AeronMessageFilter.rejected();
        new TrainingJob(TestSpark.session(), config(4), data.locations(out), false).run();
        assertEquals(refusedBefore, AeronMessageFilter.rejected(), "every DL4J message passed the allow-list");
        String firstEpochs = String.join("\n", Files.readAllLines(out.resolve("metrics.jsonl")));
        // Rerun with more epochs: it continues from epoch 4's checkpoint instead of starting over.
        TrainingJob.Result result = new TrainingJob(TestSpark.session(), config(5), data.locations(out), false).run();
        var store = new CheckpointStore(org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(out.toUri()));
        var latest = store.load(CheckpointStore.LATEST).orElseThrow();
        var metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(5, metrics.size());
        assertEquals(firstEpochs, String.join("\n", metrics.subList(0, 4)), "epochs 1-4 were not trained again");
        assertEquals(5, latest.state().epoch());
        for (EpochMetrics m : result.history()) {
            assertEquals(84, m.trainImages(), "every training image fitted, every epoch, counted by the workers: " + m);
        }
        assertTrue(result.test().testAcc() >= 2.0 / CLASSES, "learns: test accuracy " + result.test().testAcc()
                + ", at least twice chance's; " + result.history());
        assertFalse(Files.exists(out.resolve("rounds.jsonl")), "no averaging rounds in sharing mode");
    }

    private static io.sparkalex.config.JobConfig config(int epochs) {
        return TinyConfig.with("epochs", Integer.toString(epochs), "batch_size", "8", "workers", "2", "dropout", "0",
                "learning_rate", "1e-3", "training_mode", "sharing", "sharing_threshold", "1e-3",
                "sharing_network_mask", "127.0.0.0/8");
    }
}
