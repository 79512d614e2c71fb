package io.sparkalex.cluster;

import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.MetricsLog;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduled-retraining case: the driver JVM is SIGKILLed in the middle of epoch 3 of 5, and
 * rerunning the same command finishes the run from the last completed epoch, with the metrics
 * and weights of the same command run without interruption.
 */
@Tag("cluster")
class ResilienceIT {
    @Test
    void aKilledDriverResumesFromTheLastCompletedEpoch() throws Exception {
        java.nio.file.Path base = Files.createTempDirectory(ChildJvm.ROOT.resolve("target"), "it-resume-");
        SampleData data = SampleData.write(base.resolve("data"), 5, 30, 9);
        java.nio.file.Path out = base.resolve("out");
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/local.sh", "--conf", "spark.ui.enabled=false", "train",
                "--csv", data.csv().toString(), "--images", data.images().toString(), "--out", out.toString()));
        cmd.addAll(TinyConfig.flags("epochs", "5", "batch_size", "8", "averaging_frequency", "2",
                "learning_rate", "1e-3"));
        Map<String, String> env = Map.of("SPARKALEX_JOB_JAR", System.getProperty("sparkalex.jobJar"),
                "LOCAL_CORES", "2", "DRIVER_MEMORY", "1g");

        List<String> firstTwo;
        try (ChildJvm first = ChildJvm.start(cmd, env, base.resolve("first.log"))) {
            StandaloneCluster.waitUntil(() -> first.output().contains("epoch 3/5  round 1/"), 5 * 60_000,
                    "epoch 3 to be under way");
            firstTwo = Files.readAllLines(out.resolve(MetricsLog.JSONL));
            assertTrue(first.handle().destroyForcibly(), "SIGKILL the driver JVM");
            first.waitFor(1, TimeUnit.MINUTES);
        }
        assertEquals(2, firstTwo.size(), "epochs 1-2 were complete when the driver died");
        FileSystem fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        CheckpointStore store = new CheckpointStore(fs, new Path(out.toUri()));
        assertEquals(2, store.load(CheckpointStore.LATEST).orElseThrow().state().epoch(), "latest.zip is loadable");
        // What a scheduler sees of the killed run: no _SUCCESS, and a status that still says running.
        assertTrue(!Files.exists(out.resolve("_SUCCESS")), "no _SUCCESS after a killed run");
        var status = io.sparkalex.storage.Json.read(Files.readString(out.resolve("run-status.json")),
                io.sparkalex.storage.RunStatus.class);
        assertEquals(io.sparkalex.storage.RunStatus.State.RUNNING, status.state());
        assertEquals(2, status.epoch(), "the status was rewritten after epoch 2");
        assertEquals(null, status.exitCode());

        try (ChildJvm second = ChildJvm.start(cmd, env, base.resolve("second.log"))) {
            assertEquals(0, second.waitFor(10, TimeUnit.MINUTES), second.output());
            assertTrue(second.output().contains("resuming from"), second.output());
            assertTrue(!second.output().contains("epoch 1: "), "epochs 1-2 are not trained again");
        }
        List<String> all = Files.readAllLines(out.resolve(MetricsLog.JSONL));
        assertEquals(5, all.size());
        assertTrue(Files.exists(out.resolve("_SUCCESS")), "_SUCCESS once the resumed run completed");
        var done = io.sparkalex.storage.Json.read(Files.readString(out.resolve("run-status.json")),
                io.sparkalex.storage.RunStatus.class);
        assertEquals(io.sparkalex.storage.RunStatus.State.SUCCEEDED, done.state());
        assertEquals(0, done.exitCode());
        assertEquals(5, done.epoch());
        assertEquals(firstTwo, all.subList(0, 2), "epochs 1-2 unchanged");
        var latest = store.load(CheckpointStore.LATEST).orElseThrow();
        assertEquals(5, latest.state().epoch());
        assertEquals(5, latest.state().history().size());
        var best = store.load(CheckpointStore.BEST).orElseThrow();
        assertEquals(latest.state().bestEpoch(), best.state().epoch());
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("_tmp-")), "no temporaries left");
        }

        // The same command never interrupted: the killed-and-resumed run is the same run.
        java.nio.file.Path whole = base.resolve("whole");
        List<String> uninterrupted = new ArrayList<>(cmd);
        uninterrupted.set(uninterrupted.indexOf(out.toString()), whole.toString());
        try (ChildJvm third = ChildJvm.start(uninterrupted, env, base.resolve("whole.log"))) {
            assertEquals(0, third.waitFor(10, TimeUnit.MINUTES), third.output());
        }
        var a = new CheckpointStore(fs, new Path(whole.toUri())).load(CheckpointStore.LATEST).orElseThrow();
        for (int i = 0; i < 5; i++) {
            var x = a.state().history().get(i);
            var y = latest.state().history().get(i);
            String epoch = "epoch " + (i + 1) + ": " + x + " vs " + y;
            io.sparkalex.testing.Bits.assertBitIdentical(x.trainLoss(), y.trainLoss(), "train loss, " + epoch);
            io.sparkalex.testing.Bits.assertBitIdentical(x.valLoss(), y.valLoss(), "val loss, " + epoch);
            io.sparkalex.testing.Bits.assertBitIdentical(x.valAcc(), y.valAcc(), "val accuracy, " + epoch);
        }
        io.sparkalex.testing.Bits.assertBitIdentical(a.network().params(), latest.network().params(),
                "weights after epoch 5 of the killed-and-resumed and the uninterrupted run");
    }
}
