package io.sparkalex.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkalex.storage.Json;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on 127.0.0.1: one Master and N Workers, each its own JVM,
 * started from the Maven-resolved Spark jars. Executors and cluster-mode drivers are JVMs the
 * Workers launch. SPARK_HOME is a folder with an empty {@code jars/}; the classpath comes from
 * SPARK_DIST_CLASSPATH.
 */
final class StandaloneCluster implements AutoCloseable {
    final Path base;
    final Path sparkHome;
    final int masterPort;
    final int masterUiPort;
    final List<Path> workDirs = new ArrayList<>();
    private final List<ChildJvm> processes = new ArrayList<>();

    StandaloneCluster(Path base, int workers, int coresPerWorker, String memoryPerWorker) throws Exception {
        this(base, workers, coresPerWorker, memoryPerWorker, null);
    }

    /**
     * The same, Master and Workers started with {@code properties} (a Spark properties file; null:
     * none), e.g. spark.authenticate and its secret for a secured cluster.
     */
    StandaloneCluster(Path base, int workers, int coresPerWorker, String memoryPerWorker, Path properties)
            throws Exception {
        this.base = base;
        List<String> props = properties == null ? List.of() : List.of("--properties-file", properties.toString());
        this.sparkHome = Files.createDirectories(base.resolve("spark-home"));
        Files.createDirectories(sparkHome.resolve("jars"));
        masterPort = freePort();
        masterUiPort = freePort();
        processes.add(ChildJvm.java("org.apache.spark.deploy.master.Master",
                concat(List.of("--host", "127.0.0.1", "--port", "" + masterPort, "--webui-port", "" + masterUiPort),
                        props),
                env(), base.resolve("logs/master.log")));
        waitUntil(() -> masterJson() != null, 60_000, "master to start");
        for (int i = 0; i < workers; i++) {
            Path work = Files.createDirectories(base.resolve("worker-" + i));
            workDirs.add(work);
            processes.add(ChildJvm.java("org.apache.spark.deploy.worker.Worker",
                    concat(concat(List.of("--host", "127.0.0.1", "--cores", "" + coresPerWorker, "--memory",
                            memoryPerWorker, "--webui-port", "" + freePort(), "--work-dir", work.toString()), props),
                            List.of(masterUrl())),
                    env(), base.resolve("logs/worker-" + i + ".log")));
        }
        waitUntil(() -> {
            JsonNode m = masterJson();
            return m != null && m.path("aliveworkers").asInt() == workers;
        }, 90_000, workers + " workers to register");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** What every Spark JVM here needs: loopback, the jars, and the Scala version of the launcher. */
    Map<String, String> env() throws IOException {
        return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12",
                "SPARK_DIST_CLASSPATH", ChildJvm.sparkClasspath(), "SPARK_LOCAL_IP", "127.0.0.1");
    }

    /** Executor JVMs the Workers are running now (Spark's CoarseGrainedExecutorBackend). */
    List<ProcessHandle> executors() {
        return processes.stream().flatMap(p -> p.handle().descendants())
                .filter(h -> commandLine(h).contains("CoarseGrainedExecutorBackend"))
                .toList();
    }

    /** /proc's view: ProcessHandle.Info.commandLine() is empty for long Java command lines. */
    private static String commandLine(ProcessHandle h) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The master's state (workers, apps, drivers) from its web UI, or null when it is not up. */
    JsonNode masterJson() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitUntil(Condition c, long millis, String what) throws Exception {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (c.holds()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
