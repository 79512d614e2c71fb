package io.sparkalex.cluster;

import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.MetricsLog;
import io.sparkalex.storage.TrainingState;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults of the machines under a running job, on the standalone cluster with an HDFS of three
 * DataNodes and two copies of every block: a DataNode dies mid-epoch; an executor dies while
 * it writes its optimizer state. Either way the run completes, whole and correct, having fitted
 * every training image every epoch and learned.
 */
@Tag("cluster")
@ExtendWith(ClusterExtension.class)
class FaultsIT {
    static SharedCluster cluster;
    static MiniHdfs hdfs;
    static String data;

    @BeforeAll
    static void start(SharedCluster shared) throws Exception {
        cluster = shared;
        hdfs = new MiniHdfs(shared.base.resolve("hdfs-3dn"), 3, 2);
        data = hdfs.uri() + "/data";
        new SampleDataGenerator(3, 40, 5).write(data, hdfs.conf());
    }

    @AfterAll
    static void stop() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    static ChildJvm train(String out, int epochs, String log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/standalone.sh", "--conf", "spark.executor.memory=1g",
                "--conf", "spark.cores.max=2", "--conf", "spark.ui.enabled=false",
                "--conf", "spark.hadoop.dfs.replication=2",
                "train", "--csv", data + "/" + SampleDataGenerator.CSV,
                "--images", data + "/" + SampleDataGenerator.IMAGES, "--out", out));
        cmd.addAll(TinyConfig.flags("epochs", Integer.toString(epochs), "batch_size", "8", "averaging_frequency", "2",
                "learning_rate", "1e-3", "dropout", "0"));
        Map<String, String> env = new HashMap<>(cluster.spark.env());
        env.put("SPARKALEX_JOB_JAR", System.getProperty("sparkalex.jobJar"));
        env.put("DRIVER_MEMORY", "1g");
        env.put("SPARK_MASTER_URL", cluster.spark.masterUrl());
        return ChildJvm.start(cmd, env, cluster.base.resolve("logs/" + log));
    }

    /** Every epoch in the metrics and the checkpoint, the best model tested, nothing half-written left. */
    static void assertCompleteRun(String out, int epochs) throws Exception {
        FileSystem fs = hdfs.fs();
        Path dir = new Path(out);
        assertEquals(epochs, AtomicFiles.readString(fs, new Path(dir, MetricsLog.JSONL)).lines().count());
        CheckpointStore store = new CheckpointStore(fs, dir);
        TrainingState latest = store.readState(CheckpointStore.LATEST).orElseThrow();
        assertEquals(epochs, latest.epoch());
        assertEquals(epochs, latest.history().size());
        TrainingState best = store.readState(CheckpointStore.BEST).orElseThrow();
        assertNotNull(best.test(), "best.zip was tested");
        // The best model learned: its accuracy on the 24 test images is at least twice chance's (3
        // classes; the same run without faults reaches 0.79-1.0 in 5 epochs in local mode).
        assertTrue(best.test().testAcc() >= 2.0 / 3, "learns: test accuracy at least twice chance's: " + best.test()
                + "\n" + latest.history());
        for (var m : latest.history()) {
            assertEquals(84, m.trainImages(), "every training image fitted in epoch " + m.epoch() + ", faults or not");
        }
        assertTrue(store.load(CheckpointStore.LATEST).isPresent(), "latest.zip loads");
        for (FileStatus f : fs.listStatus(dir)) {
            assertTrue(!f.getPath().getName().startsWith("_tmp-"), "no temporaries: " + f.getPath());
        }
        assertTrue(!fs.exists(new Path(dir, "_lease.json")), "the lease is released");
    }

    @Test
    void aDataNodeKilledMidEpochLeavesACompleteRun() throws Exception {
        String out = hdfs.uri() + "/runs/datanode-loss";
        try (ChildJvm job = train(out, 5, "datanode-loss.log")) {
            StandaloneCluster.waitUntil(() -> job.output().contains("epoch 2/5  round 1/"), 5 * 60_000,
                    "epoch 2 to be under way");
            hdfs.killDataNode(0);
            assertEquals(0, job.waitFor(10, TimeUnit.MINUTES), job.output());
        }
        assertCompleteRun(out, 5);
    }

    @Test
    void anExecutorKilledWhileItWritesItsOptimizerStateLeavesACompleteRun() throws Exception {
        String out = hdfs.uri() + "/runs/executor-state-loss";
        Path stateDir = new Path(out + "/_work/optimizer-state");
        try (ChildJvm job = train(out, 5, "executor-state-loss.log")) {
            FileSystem fs = hdfs.fs();
            String writing = null;
            long deadline = System.currentTimeMillis() + 8 * 60_000;
            while (writing == null && job.handle().isAlive() && System.currentTimeMillis() < deadline) {
                if (fs.exists(stateDir)) {
                    for (FileStatus f : fs.listStatus(stateDir)) {
                        if (f.getPath().getName().startsWith("_tmp-") && f.getPath().getName().contains("worker-")) {
                            writing = f.getPath().getName();
                        }
                    }
                }
                Thread.sleep(5);
            }
            assertNotNull(writing, "caught a worker writing its optimizer state:\n" + job.output());
            List<ProcessHandle> executors = cluster.spark.executors();
            assertEquals(2, executors.size(), "executors of the running job");
            for (ProcessHandle e : executors) {
                e.destroyForcibly();   // the writer is one of the two; both die mid-write or just after
            }
            assertEquals(0, job.waitFor(10, TimeUnit.MINUTES), job.output());
            assertTrue(job.output().contains("Lost executor"), "Spark saw the executors die:\n" + job.output());
        }
        assertCompleteRun(out, 5);
    }
}
