package io.sparkalex.plan;

import io.sparkalex.storage.BuildInfo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine and versions a calibration ran on, for the file that records it. */
public final class MachineFacts {
    private MachineFacts() {
    }

    /** This JVM's machine: CPU model (Linux's /proc/cpuinfo), cores, memory, OS. */
    public static Calibration.Machine here() {
        String cpu = System.getProperty("os.arch");
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture will do
        }
        double memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() / (double) (1L << 30) : Double.NaN;
        return new Calibration.Machine(cpu, Runtime.getRuntime().availableProcessors(), Math.round(memory * 10) / 10.0,
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }

    /** gpu when the job runs on ND4J's CUDA backend, else cpu. */
    public static String device() {
        return BuildInfo.current().nd4jBackend().toLowerCase(java.util.Locale.ROOT).contains("cuda") ? "gpu" : "cpu";
    }

    public static Calibration.Versions versions(String sparkVersion) {
        BuildInfo b = BuildInfo.current();
        return new Calibration.Versions(b.version(), b.gitCommit(), b.dl4jVersion(), b.nd4jBackend(), sparkVersion,
                System.getProperty("java.version"));
    }
}
