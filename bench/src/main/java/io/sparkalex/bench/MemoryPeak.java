package io.sparkalex.bench;

import org.bytedeco.javacpp.Pointer;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples the JVM's heap in use, its native memory (RSS minus the committed heap: ND4J's
 * buffers, thread stacks, code) and the process
 * RSS every 100 ms and keeps the maxima; the kernel's own RSS high-water mark is read at the end.
 */
final class MemoryPeak implements AutoCloseable {
    private volatile boolean running = true;
    private volatile long heap;
    private volatile long offHeap;
    private volatile long rss;
    private final Thread thread;

    MemoryPeak() {
        thread = new Thread(() -> {
            var bean = ManagementFactory.getMemoryMXBean();
            while (running) {
                heap = Math.max(heap, bean.getHeapMemoryUsage().getUsed());
                long r = Pointer.physicalBytes();
                rss = Math.max(rss, r);
                // ND4J's buffers are not counted by javacpp: native = RSS - committed heap.
                offHeap = Math.max(offHeap, r - bean.getHeapMemoryUsage().getCommitted());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-peak");
        thread.setDaemon(true);
        thread.start();
    }

    long heap() {
        return heap;
    }

    long offHeap() {
        return offHeap;
    }

    long rss() {
        return Math.max(rss, vmHwm());
    }

    /** VmHWM of /proc/self/status: the peak resident set size the kernel saw. */
    static long vmHwm() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux: the sampled value stands
        }
        return 0;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
