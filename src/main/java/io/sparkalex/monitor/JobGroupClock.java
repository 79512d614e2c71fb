package io.sparkalex.monitor;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The wall time of the Spark jobs of one job group, from the first one's start to the last one's
 * end, as Spark's scheduler saw them: how long a step that runs as Spark jobs took (the image
 * cache's build) without a hook in the step itself.
 */
public final class JobGroupClock extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final String group;
    private final Set<Integer> jobs = ConcurrentHashMap.newKeySet();
    private volatile long first = Long.MAX_VALUE;
    private volatile long last = Long.MIN_VALUE;

    private JobGroupClock(SparkContext sc, String group) {
        this.sc = sc;
        this.group = group;
        sc.addSparkListener(this);
    }

    public static JobGroupClock start(SparkContext sc, String group) {
        return new JobGroupClock(sc, group);
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        if (start.properties() != null && group.equals(start.properties().getProperty("spark.jobGroup.id"))) {
            jobs.add(start.jobId());
            first = Math.min(first, start.time());
        }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
        if (jobs.contains(end.jobId())) {
            last = Math.max(last, end.time());
        }
    }

    /** Seconds from the group's first job's start to its last job's end; 0 when none ran. */
    public double seconds() {
        return last < first ? 0 : (last - first) / 1e3;
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
