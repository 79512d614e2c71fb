package io.sparkalex.averaging;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import io.sparkalex.nd4j.SerializationClock;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times every averaging round of DL4J's own master ({@code optimizer_state = averaged}), where each
 * round is a Spark job, on the driver ({@link RoundBreakdown}): the master marks the round's start,
 * its broadcast and its end; Spark's listener bus gives the round's job and its tasks (launch,
 * deserialisation, run and result-serialisation times, when the driver had the result). The
 * worker is DL4J's own, so its task's run is one part (worker other). The round's Spark job is
 * found by a local property the master sets. ({@link ResidentAveragingMaster} times its rounds
 * itself: they are not Spark jobs.)
 */
final class RoundClock extends SparkListener {
    static final String PROPERTY = "sparkalex.round";

    private record Task(int partition, long launch, long finish, long deserializeMs, long runMs,
                        long resultSerializeMs) {
    }

    /** What the driver and the listener know of one round. */
    private static final class Round {
        final int epoch;
        final int round;
        final long start;
        long broadcastStart;
        long broadcastEnd;
        long end;
        long jobEnd;
        /** Tasks by stage: the workers' stage is found at the end (DL4J may repartition first). */
        final Map<Integer, List<Task>> tasks = new java.util.HashMap<>();
        SerializationClock.Snapshot serialisation;
        final SerializationClock.Snapshot atStart = SerializationClock.snapshot();
        SerializationClock.Snapshot atBroadcastEnd;

        Round(int epoch, int round) {
            this.epoch = epoch;
            this.round = round;
            this.start = System.currentTimeMillis();
        }
    }

    private final SparkContext sc;
    private final Map<String, Round> rounds = new ConcurrentHashMap<>();
    private final Map<Integer, Round> byStage = new ConcurrentHashMap<>();
    private final Map<Integer, Round> byJob = new ConcurrentHashMap<>();
    private Round current;

    RoundClock(SparkContext sc) {
        this.sc = sc;
        sc.addSparkListener(this);
    }

    void roundStarts(int epoch, int round) {
        current = new Round(epoch, round);
        rounds.put(key(epoch, round), current);
        sc.setLocalProperty(PROPERTY, key(epoch, round));
    }

    void broadcastStarts() {
        if (current != null) {
            current.broadcastStart = System.currentTimeMillis();
        }
    }

    void broadcastDone() {
        if (current != null) {
            current.broadcastEnd = System.currentTimeMillis();
            current.atBroadcastEnd = SerializationClock.snapshot();
        }
    }

    void roundDone() {
        current.end = System.currentTimeMillis();
        current.serialisation = SerializationClock.snapshot().since(current.atBroadcastEnd == null
                ? current.atStart : current.atBroadcastEnd);
        sc.setLocalProperty(PROPERTY, null);
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        String id = job.properties() == null ? null : job.properties().getProperty(PROPERTY);
        Round r = id == null ? null : rounds.get(id);
        if (r == null) {
            return;
        }
        byJob.put(job.jobId(), r);
        for (scala.collection.Iterator<StageInfo> it = job.stageInfos().iterator(); it.hasNext(); ) {
            byStage.put(it.next().stageId(), r);
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        Round r = byStage.get(end.stageId());
        if (r == null || end.taskMetrics() == null) {
            return;
        }
        synchronized (r) {
            r.tasks.computeIfAbsent(end.stageId(), s -> new ArrayList<>()).add(new Task(end.taskInfo().index(),
                    end.taskInfo().launchTime(), end.taskInfo().finishTime(), end.taskMetrics().executorDeserializeTime(),
                    end.taskMetrics().executorRunTime(), end.taskMetrics().resultSerializationTime()));
        }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd job) {
        Round r = byJob.get(job.jobId());
        if (r != null) {
            synchronized (r) {
                r.jobEnd = Math.max(r.jobEnd, job.time());
            }
        }
    }

    /**
     * The breakdowns of every round finished so far, oldest first, and forgets them. Waits (at
     * most a few seconds) for Spark's listener bus to deliver the last round's events.
     */
    List<RoundBreakdown> drain() {
        try {
            sc.listenerBus().waitUntilEmpty(10_000);
        } catch (java.util.concurrent.TimeoutException e) {
            // a busy bus: the rounds whose events have not arrived are reported without them
        }
        List<RoundBreakdown> out = new ArrayList<>();
        rounds.values().stream().filter(r -> r.end > 0)
                .sorted(Comparator.comparingInt((Round r) -> r.epoch).thenComparingInt(r -> r.round))
                .forEach(r -> {
                    out.add(breakdown(r));
                    rounds.remove(key(r.epoch, r.round));
                });
        byStage.values().removeIf(r -> r.end > 0);
        byJob.values().removeIf(r -> r.end > 0);
        return out;
    }

    private static RoundBreakdown breakdown(Round r) {
        double round = seconds(r.end - r.start);
        List<Task> training;
        synchronized (r) {
            // The workers' stage: where the tasks ran longest (a repartition or tree level before or after is short).
            training = r.tasks.values().stream().max(Comparator.comparingLong(
                    (List<Task> ts) -> ts.stream().mapToLong(Task::runMs).sum())).orElse(List.of());
        }
        Task last = training.stream().max(Comparator.comparingLong(Task::finish)).orElse(null);
        if (last == null || r.jobEnd == 0) {   // events not delivered: only the total is known
            return RoundBreakdown.of(r.epoch, r.round, round)
                    .driverBefore(0, seconds(r.broadcastEnd - r.broadcastStart), 0).build();
        }
        double prepare = seconds(r.broadcastStart - r.start);
        double broadcast = seconds(r.broadcastEnd - r.broadcastStart);
        double launch = seconds(last.launch() - r.broadcastEnd);
        double deserialize = seconds(last.deserializeMs());
        double run = seconds(last.runMs());   // DL4J's worker: the whole task run is one part (worker other)
        double resultSerialize = seconds(last.resultSerializeMs());
        long executorEnd = last.launch() + last.deserializeMs() + last.runMs() + last.resultSerializeMs();
        double aggregate = seconds(r.jobEnd - executorEnd);
        double apply = seconds(r.end - r.jobEnd);
        SerializationClock.Snapshot s = r.serialisation;
        long broadcastBytes = r.atBroadcastEnd == null ? 0 : r.atBroadcastEnd.since(r.atStart).writeBytes();
        long resultBytes = s.readBytes();
        return RoundBreakdown.of(r.epoch, r.round, round).workers(training.size(), 0)
                .driverBefore(prepare, broadcast, launch).worker(deserialize, 0, 0, 0, run)
                .result(0, resultSerialize, aggregate, s.readNanos() / 1e9).apply(apply)
                .bytes(broadcastBytes, resultBytes).build();
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    private static String key(int epoch, int round) {
        return epoch + ":" + round;
    }
}
