package io.sparkalex.monitor;

import io.sparkalex.testing.TestSpark;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress of a long Spark job, counted while its tasks run (their heartbeats), not only when they end. */
class JobProgressTest {
    @Test
    void itemsOfRunningTasksCountFromTheirHeartbeats() throws Exception {
        SparkContext sc = TestSpark.session().sparkContext();
        long heartbeatMs = sc.getConf().getTimeAsMs("spark.executor.heartbeatInterval", "10s");
        try (JobProgress progress = JobProgress.start(sc, "test items", 200, 3600)) {
            LongAccumulator counter = progress.counter();
            // two tasks add 50 items each at once, then run on for two heartbeats before they end
            JavaFutureAction<List<Integer>> job = JavaSparkContext.fromSparkContext(sc)
                    .parallelize(List.of(0, 1), 2).map(p -> {
                        counter.add(50);
                        Thread.sleep(2 * heartbeatMs + 2000);
                        return p;
                    }).collectAsync();
            long end = System.currentTimeMillis() + 2 * heartbeatMs + 1000;
            long seen = 0;
            while (!job.isDone() && System.currentTimeMillis() < end && seen < 100) {
                seen = progress.done();
                Thread.sleep(200);
            }
            assertTrue(!job.isDone() && seen == 100, "both running tasks' items counted before they ended: " + seen);
            job.get(60, TimeUnit.SECONDS);
            sc.listenerBus().waitUntilEmpty();
            assertEquals(100, progress.done(), "ended tasks counted once");
            assertTrue(progress.line().startsWith("test items: 100/200 (50.0%)"), progress.line());
        }
    }
}
