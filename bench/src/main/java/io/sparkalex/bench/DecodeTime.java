package io.sparkalex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkalex.data.ImageCache;
import io.sparkalex.storage.Json;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executor time of the job's decode tasks, from Spark's own task metrics: the tasks of every
 * job in {@link ImageCache#JOB_GROUP}. Divided into the images they decoded, it is the
 * decode + resize + normalise + write rate of one executor core.
 */
final class DecodeTime extends SparkListener {
    private final Set<Integer> decodeStages = ConcurrentHashMap.newKeySet();
    private volatile long runMillis;

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        if (ImageCache.JOB_GROUP.equals(jobStart.properties().getProperty("spark.jobGroup.id"))) {
            for (Object id : scala.collection.JavaConverters.seqAsJavaList(jobStart.stageIds())) {
                decodeStages.add((Integer) id);
            }
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (decodeStages.contains(taskEnd.stageId()) && taskEnd.taskMetrics() != null) {
            runMillis += taskEnd.taskMetrics().executorRunTime();
        }
    }

    /** Images used (data-report.json in {@code out}) per second of decode-task time. */
    double imagesPerSecondPerCore(Path out) throws Exception {
        JsonNode report = Json.MAPPER.readTree(Files.readString(out.resolve("data-report.json")));
        return runMillis == 0 ? Double.NaN : report.path("used").asLong() / (runMillis / 1000.0);
    }
}
