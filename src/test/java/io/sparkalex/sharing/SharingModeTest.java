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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient sharing in local mode, through the job: trains, checkpoints and records epochs as averaging does. */
class SharingModeTest {
    @TempDir
    Path tmp;

    @Test
    void sharingTrainsTheNetworkAndCheckpointsEachEpoch() throws Exception {
        SampleData data = SampleData.write(tmp.resolve("data"), 3, 20, 3);
        Path out = tmp.resolve("out");
        new TrainingJob(TestSpark.session(), TinyConfig.with("epochs", "2", "batch_size", "8", "workers", "2",
                "training_mode", "sharing", "sharing_network_mask", "127.0.0.0/8"), data.locations(out), false).run();
        var store = new CheckpointStore(org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(out.toUri()));
        var latest = store.load(CheckpointStore.LATEST).orElseThrow();
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        assertTrue(latest.network().params().amaxNumber().doubleValue() > 0);
    }
}
