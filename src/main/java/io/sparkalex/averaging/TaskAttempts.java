package io.sparkalex.averaging;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which Spark task attempts run each partition of the epoch's job, as the driver's scheduler
 * reports them on the listener bus: the exchange takes an upload (a result, a relay's address, a
 * divergence) only from a task attempt that is running that partition ({@link ExchangeAuth} makes
 * the attempt part of what a request proves). A result from a finished attempt, another stage, or
 * a made-up attempt is refused; a retried or speculative attempt owns its partition from its start.
 *
 * <p>The epoch's job is known by the local property {@value #JOB_PROPERTY} (its value is the
 * exchange's epoch key), set on the driver's thread before the job runs.
 *
 * <p>Concurrency: the listener bus calls in on its own thread and the exchange's request threads
 * ask; the monitor guards the maps, and a request waits on it (the bus runs a little behind the
 * scheduler, so a task's first request may come before its start is seen).
 */
final class TaskAttempts extends SparkListener {
    /** The local property that marks a Spark job as an exchange epoch's. */
    static final String JOB_PROPERTY = "sparkalex.exchange.epoch";
    /** How long a request waits for the listener bus to report its attempt's start. */
    static final long START_WAIT_MS = 60_000;

    private final String key;
    private final Set<Integer> stages = new HashSet<>();
    private final Map<Integer, Set<Long>> running = new HashMap<>();
    private final Set<Long> accepted = new HashSet<>();
    private long refused;

    private final long startWaitMs;

    /** Attempts of the jobs whose {@value #JOB_PROPERTY} is {@code key}. */
    TaskAttempts(String key) {
        this(key, START_WAIT_MS);
    }

    /** The same, waiting at most {@code startWaitMs} for an attempt's start to be reported. */
    TaskAttempts(String key, long startWaitMs) {
        this.key = key;
        this.startWaitMs = startWaitMs;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart job) {
        if (job.properties() != null && key.equals(job.properties().getProperty(JOB_PROPERTY))) {
            for (scala.collection.Iterator<Object> ids = job.stageIds().iterator(); ids.hasNext(); ) {
                stages.add((Integer) ids.next());
            }
        }
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart task) {
        if (stages.contains(task.stageId())) {
            running.computeIfAbsent(task.taskInfo().index(), p -> new HashSet<>()).add(task.taskInfo().taskId());
            notifyAll();
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd task) {
        Set<Long> attempts = running.get(task.taskInfo().index());
        if (stages.contains(task.stageId()) && attempts != null) {
            attempts.remove(task.taskInfo().taskId());
        }
    }

    /**
     * Whether task attempt {@code attempt} runs partition {@code partition} of an epoch's job,
     * waiting a while for the listener bus to report it; counts what it answers.
     */
    synchronized boolean runs(int partition, long attempt) {
        Waiting.until(this, () -> running.getOrDefault(partition, Set.of()).contains(attempt), startWaitMs);
        boolean runs = running.getOrDefault(partition, Set.of()).contains(attempt);
        if (runs) {
            accepted.add(attempt);
        } else {
            refused++;
        }
        return runs;
    }

    /** How many uploads were refused as not from a running attempt of their partition. */
    synchronized long refused() {
        return refused;
    }

    /** The attempts uploads were accepted from. */
    synchronized Set<Long> accepted() {
        return Set.copyOf(accepted);
    }
}
