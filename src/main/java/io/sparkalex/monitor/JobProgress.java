package io.sparkalex.monitor;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress of a long Spark job, logged at a steady interval as the training rounds are: items done
 * of the total, rate and ETA ({@code "caching train images: 12000/1281167 (0.9%)  850.1/s  ETA 0:24:51"}).
 *
 * <p>Tasks add each item to {@link #counter()}, a Spark accumulator. The driver's value of an
 * accumulator grows only when a task ends; the executors also send running tasks' values with
 * their heartbeats ({@code spark.executor.heartbeatInterval}, 10 s), which Spark posts to its
 * listeners, so a long task's items count while it runs: done = the driver's value plus the latest
 * heartbeat value of every task still running.
 *
 * <p>Concurrency: the listener bus and the logging thread share the running tasks' map (concurrent).
 */
public final class JobProgress extends SparkListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobProgress.class);
    /** The interval of commands that read no job configuration ({@code evaluate}, {@code predict}): progress_interval_s's default. */
    public static final long DEFAULT_INTERVAL_SECONDS = 30;

    private final SparkContext sc;
    private final String what;
    private final long total;
    private final LongAccumulator counter;
    private final Map<Long, Long> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private final long start = System.nanoTime();

    private JobProgress(SparkContext sc, String what, long total, long intervalSeconds) {
        this.sc = sc;
        this.what = what;
        this.total = total;
        this.counter = sc.longAccumulator("sparkalex progress: " + what);
        sc.addSparkListener(this);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparkalex-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> log.info(line()), intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    /** Starts logging the progress of {@code what} (e.g. "caching train images") towards {@code total} items. */
    public static JobProgress start(SparkContext sc, String what, long total, long intervalSeconds) {
        return new JobProgress(sc, what, total, Math.max(1, intervalSeconds));
    }

    /** What the tasks add each item to. */
    public LongAccumulator counter() {
        return counter;
    }

    /** {@code items}, each counted into {@code counter} as it is taken (a task's side). */
    public static <T> Iterator<T> counting(Iterator<T> items, LongAccumulator counter) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return items.hasNext();
            }

            @Override
            public T next() {
                T item = items.next();
                counter.add(1);
                return item;
            }
        };
    }

    /** Items done so far: ended tasks' (the driver's value) and running tasks' (their last heartbeat). */
    public long done() {
        long d = counter.value();
        for (long v : running.values()) {
            d += v;
        }
        return Math.min(d, total);
    }

    /** The progress line now. */
    public String line() {
        long done = done();
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long eta = rate > 0 ? Math.round((total - done) / rate) : -1;
        return String.format(Locale.ROOT, "%s: %d/%d (%.1f%%)  %.1f/s  ETA %s", what, done, total,
                total == 0 ? 100.0 : 100.0 * done / total, rate,
                eta < 0 ? "?" : String.format(Locale.ROOT, "%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (scala.collection.Iterator<Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>>> tasks =
             update.accumUpdates().iterator(); tasks.hasNext(); ) {
            Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task = tasks.next();
            for (scala.collection.Iterator<AccumulableInfo> infos = task._4().iterator(); infos.hasNext(); ) {
                AccumulableInfo info = infos.next();
                if (info.id() == counter.id() && info.update().isDefined()) {
                    running.put((Long) task._1(), ((Number) info.update().get()).longValue());
                }
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        running.remove(end.taskInfo().taskId());   // its items are in the driver's value now
    }

    /** Stops logging; the last line says where the job ended. */
    @Override
    public void close() {
        ticker.shutdownNow();
        sc.removeSparkListener(this);
        running.clear();
        log.info(line());
    }
}
