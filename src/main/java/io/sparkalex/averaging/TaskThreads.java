package io.sparkalex.averaging;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On an executor, a worker's ND4J and BLAS threads are its task's cpus ({@code spark.task.cpus}):
 * one per core of a 1-core executor, all of them for a fat executor that runs one replica on every
 * core ({@code spark.executor.cores = spark.task.cpus = N}). ND4J's own default is every core of
 * the node, which oversubscribes a node shared by several executors, and {@code OMP_NUM_THREADS}
 * alone does not hold it. Local mode is left to {@code train.LocalThreads} (its workers share the
 * driver's cores).
 */
final class TaskThreads {
    private static final Logger log = LoggerFactory.getLogger(TaskThreads.class);
    private static volatile int set;

    private TaskThreads() {
    }

    /** Matches ND4J's threads to this task's cpus, once per executor JVM. */
    static void match() {
        TaskContext task = TaskContext.get();
        SparkEnv env = SparkEnv.get();
        if (task == null || env == null || "driver".equals(env.executorId())) {
            return;   // local mode
        }
        int cpus = task.cpus();
        if (set == cpus) {
            return;
        }
        Nd4j.getEnvironment().setMaxThreads(cpus);
        Nd4j.getEnvironment().setMaxMasterThreads(cpus);
        Nd4j.factory().blas().setMaxThreads(cpus);
        set = cpus;
        log.info("executor {}: {} ND4J/BLAS threads per worker (spark.task.cpus)", env.executorId(), cpus);
    }
}
