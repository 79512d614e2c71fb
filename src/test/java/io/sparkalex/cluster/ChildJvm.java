package io.sparkalex.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Processes the integration tests start (Spark masters, workers, submit scripts): output to a
 * log file, loopback-only environment, and a kill that takes the whole process tree with it
 * (a worker's executors and drivers are its children).
 */
final class ChildJvm implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("sparkalex.root", ".")).toAbsolutePath();

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ChildJvm start(List<String> command, Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().putAll(env);
        return new ChildJvm(pb.start(), log);
    }

    /** {@code java <Spark's Java 17 flags> -cp <Spark + Hadoop jars> mainClass args}. */
    static ChildJvm java(String mainClass, List<String> args, Map<String, String> env, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java17Flags());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(sparkClasspath());
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(cmd, env, log);
    }

    /** Spark's Java 17 flags, read from conf/spark-defaults.conf as the submit scripts read them. */
    static List<String> java17Flags() throws IOException {
        for (String line : Files.readAllLines(ROOT.resolve("conf/spark-defaults.conf"))) {
            if (line.startsWith("spark.driver.extraJavaOptions")) {
                return List.of(line.substring("spark.driver.extraJavaOptions".length()).trim()
                        .replaceAll(" -Dorg\\.bytedeco.*", "").split("\\s+"));
            }
        }
        throw new IllegalStateException("no spark.driver.extraJavaOptions in conf/spark-defaults.conf");
    }

    static String sparkClasspath() throws IOException {
        return Files.readString(Path.of(System.getProperty("sparkalex.sparkClasspath",
                ROOT.resolve("target/spark.classpath").toString()))).trim();
    }

    /** Waits for exit; kills the tree and fails on timeout. Returns the exit code. */
    int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            close();
            throw new AssertionError("process did not finish in " + timeout + " " + unit + "; log " + log);
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /**
     * The thread stacks of this process, its descendants and {@code others} ({@code jcmd Thread.print})
     * written to {@code file}: what a test that times out on a hung job leaves to read.
     */
    void dumpThreads(List<ProcessHandle> others, Path file) throws IOException {
        StringBuilder all = new StringBuilder();
        List<ProcessHandle> handles = new ArrayList<>(List.of(process.toHandle()));
        process.toHandle().descendants().forEach(handles::add);
        handles.addAll(others);
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (ProcessHandle h : handles) {
            try {
                Process dump = new ProcessBuilder(jcmd, Long.toString(h.pid()), "Thread.print")
                        .redirectErrorStream(true).start();
                String text = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                dump.waitFor(1, TimeUnit.MINUTES);
                all.append("===== pid ").append(h.pid()).append('\n').append(text).append('\n');
            } catch (IOException | InterruptedException e) {
                all.append("===== pid ").append(h.pid()).append(": ").append(e).append('\n');
            }
        }
        Files.writeString(file, all.toString());
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
