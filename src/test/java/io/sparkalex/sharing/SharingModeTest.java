package io.sparkalex.sharing;

import io.sparkalex.storage.CheckpointStore;
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

/** Gradient sharing in local mode, through the job: trains, checkpoints and records epochs as averaging does. */
class SharingModeTest {
    @TempDir
    Path tmp;

    @Test
    void sharingTrainsTheNetworkCheckpointsEachEpochAndResumes() throws Exception {
        SampleData data = SampleData.write(tmp.resolve("data"), 3, 20, 3);
        Path out = tmp.resolve("out");
        new TrainingJob(TestSpark.session(), TinyConfig.with("epochs", "1", "batch_size", "8", "workers", "2",
                "training_mode", "sharing", "sharing_network_mask", "127.0.0.0/8"), data.locations(out), false).run();
        String firstEpoch = Files.readAllLines(out.resolve("metrics.jsonl")).get(0);
        // Rerun with more epochs: it continues from epoch 1's checkpoint instead of starting over.
        new TrainingJob(TestSpark.session(), TinyConfig.with("epochs", "2", "batch_size", "8", "workers", "2",
                "training_mode", "sharing", "sharing_network_mask", "127.0.0.0/8"), data.locations(out), false).run();
        var store = new CheckpointStore(org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(out.toUri()));
        var latest = store.load(CheckpointStore.LATEST).orElseThrow();
        var metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, metrics.size());
        assertEquals(firstEpoch, metrics.get(0), "epoch 1 was not trained again");
        assertEquals(2, latest.state().epoch());
        assertTrue(latest.network().params().amaxNumber().doubleValue() > 0);
        assertFalse(Files.exists(out.resolve("rounds.jsonl")), "no averaging rounds in sharing mode");
    }
}
