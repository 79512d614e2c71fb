package io.sparkalex.cluster;

import io.sparkalex.storage.MetricsLog;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on YARN in cluster mode, as Spark's own YARN tests run it: Hadoop's MiniYARNCluster
 * (ResourceManager + NodeManager in this JVM, on 127.0.0.1), {@code submit/yarn.sh} submitting the
 * job jar with the driver in the ApplicationMaster, and YARN's own final status checked: SUCCEEDED
 * for a good run, FAILED with the job's reason for a data error.
 */
@Tag("cluster")
class YarnIT {
    static MiniYARNCluster yarn;
    static Path base;
    static Path confDir;
    static SampleData data;

    @BeforeAll
    static void start() throws Exception {
        base = Files.createTempDirectory(ChildJvm.ROOT.resolve("target"), "it-yarn-");
        YarnConfiguration conf = new YarnConfiguration();
        conf.set("yarn.resourcemanager.hostname", "127.0.0.1");
        conf.set("yarn.nodemanager.hostname", "127.0.0.1");
        conf.setInt("yarn.nodemanager.resource.memory-mb", 8192);
        conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
        conf.setInt("yarn.scheduler.minimum-allocation-mb", 256);
        conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
        conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99.0");
        conf.set("fs.defaultFS", "file:///");
        // The capacity scheduler needs a queue file the shaded minicluster jar does not ship.
        conf.set("yarn.resourcemanager.scheduler.class",
                "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
        yarn = new MiniYARNCluster("sparkalex-yarn", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        // The ResourceManager's port is known once it listens; write the client configuration then.
        Configuration live = yarn.getConfig();
        long deadline = System.currentTimeMillis() + 60_000;
        while (live.get(YarnConfiguration.RM_ADDRESS, "").endsWith(":0")) {
            assertTrue(System.currentTimeMillis() < deadline, "ResourceManager listening");
            Thread.sleep(100);
        }
        confDir = Files.createDirectories(base.resolve("hadoop-conf"));
        try (OutputStream out = Files.newOutputStream(confDir.resolve("yarn-site.xml"))) {
            live.writeXml(out);
        }
        Files.writeString(confDir.resolve("core-site.xml"), "<configuration><property><name>fs.defaultFS</name>"
                + "<value>file:///</value></property></configuration>");
        data = SampleData.write(base.resolve("data"), 3, 10, 2);
    }

    @AfterAll
    static void stop() {
        if (yarn != null) {
            yarn.stop();
        }
    }

    /** {@code submit/yarn.sh} in cluster mode with small containers; returns spark-submit's exit code. */
    static int submit(String name, String csv, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/yarn.sh", "--name", name,
                "--conf", "spark.driver.memory=1g", "--conf", "spark.driver.memoryOverhead=1g",
                "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.memoryOverhead=1g",
                "--conf", "spark.executor.cores=1", "--conf", "spark.ui.enabled=false",
                "--conf", "spark.yarn.submit.waitAppCompletion=true",
                "train", "--csv", csv, "--images", data.images().toUri().toString(), "--out", out.toUri().toString()));
        cmd.addAll(TinyConfig.flags("epochs", "1", "batch_size", "8"));
        Map<String, String> env = Map.of("SPARKALEX_JOB_JAR", System.getProperty("sparkalex.jobJar"),
                "HADOOP_CONF_DIR", confDir.toString(), "NUM_EXECUTORS", "1", "DRIVER_MEMORY", "512m");
        try (ChildJvm submit = ChildJvm.start(cmd, env, base.resolve(name + ".log"))) {
            return submit.waitFor(10, TimeUnit.MINUTES);
        }
    }

    static ApplicationReport report(String name) throws Exception {
        try (YarnClient client = YarnClient.createYarnClient()) {
            client.init(yarn.getConfig());
            client.start();
            return client.getApplications().stream().filter(a -> a.getName().equals(name))
                    .max(Comparator.comparingLong(ApplicationReport::getStartTime)).orElseThrow();
        }
    }

    @Test
    void aGoodRunSucceedsInYarnsEyes() throws Exception {
        Path out = base.resolve("out-good");
        int code = submit("sparkalex-good", data.csv().toUri().toString(), out);
        ApplicationReport app = report("sparkalex-good");
        assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(),
                app.getDiagnostics() + "\n" + Files.readString(base.resolve("sparkalex-good.log")));
        assertEquals(0, code, "spark-submit reports the application's success");
        assertEquals(1, Files.readAllLines(out.resolve(MetricsLog.JSONL)).size());
        assertTrue(Files.exists(out.resolve("best.zip")));

        // conf/log4j2.properties reached the ApplicationMaster (driver) and the executor (--files).
        String appId = app.getApplicationId().toString();
        List<Path> logs;
        try (var walk = Files.walk(Path.of("target/test/data/sparkalex-yarn"))) {
            logs = walk.filter(p -> p.getFileName().toString().equals("stderr") && p.toString().contains(appId + "/"))
                    .toList();
        }
        assertEquals(2, logs.size(), "the AM's and one executor's container: " + logs);
        for (Path log : logs) {
            // The JVM's own line for --add-modules=jdk.incubator.vector comes before any logging.
            String text = Files.readString(log).replaceFirst("^WARNING: Using incubator modules: jdk.incubator.vector\\R", "");
            assertTrue(text.matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d (INFO |WARN ).*"), log + " uses the job's layout");
            assertTrue(!text.matches("(?s).*\\n\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d INFO .*"), log + ": no line in Spark's default layout");
        }
        assertTrue(logs.stream().anyMatch(l -> {
            try {
                return Files.readString(l).contains("INFO  NativeKernels: oneDNN");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), "the executor trained with the job's logging");
    }

    @Test
    void aDataErrorFailsInYarnsEyesWithTheJobsReason() throws Exception {
        Path csv = Files.writeString(base.resolve("bad.csv"), "name,split\nn02091244_1.JPEG,train\n");
        int code = submit("sparkalex-bad-data", csv.toUri().toString(), base.resolve("out-bad"));
        ApplicationReport app = report("sparkalex-bad-data");
        assertEquals(FinalApplicationStatus.FAILED, app.getFinalApplicationStatus(), app.getDiagnostics());
        assertTrue(app.getDiagnostics().contains("exit code 3") && app.getDiagnostics().contains("filename"),
                app.getDiagnostics());
        assertTrue(code != 0, "spark-submit fails with the application");
    }
}
