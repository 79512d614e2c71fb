package io.sparkalex.train;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.IntSupplier;

/**
 * How many workers the run trains on, from the task slots of the executors it got, and the check
 * that they can all run at once.
 *
 * <p>Why: with resident averaging and with gradient sharing each worker runs its whole epoch as
 * one Spark task and waits for the others every round; with fewer task slots than workers the
 * extra tasks never start and the started ones wait (10 minutes, then the round fails). So the
 * job counts the slots before training (Spark's own count: executor cores over
 * {@code spark.task.cpus}, the number its barrier stages check against) and stops at once (exit 2)
 * when {@code workers} asks for more. {@code workers = 0} takes all the slots, never
 * {@code spark.default.parallelism}, which a cluster may set to anything.
 *
 * <p>Executors register after the driver starts (on standalone Spark does not wait for them unless
 * {@code spark.cores.max} gives it something to wait for), so the count waits up to
 * {@code spark.scheduler.maxRegisteredResourcesWaitingTime} (Spark's registered-resources wait,
 * 30 s by default): for the workers asked for, or, with {@code workers = 0}, until the count has
 * stopped growing for {@value #SETTLED_MS} ms. Local mode's slots are known at once.
 * DL4J's own averaging master ({@code optimizer_state = averaged}) runs a Spark job per round,
 * whose tasks do not wait for each other: there more workers than slots is slower, not stuck, and
 * only said.
 */
final class WorkerSlots {
    private static final Logger log = LoggerFactory.getLogger(WorkerSlots.class);
    /** How long an unchanged slot count counts as all executors registered ({@code workers = 0}). */
    static final long SETTLED_MS = 5_000;

    private WorkerSlots() {
    }

    /** The workers the run trains on: {@code config.workers}, or all the slots for 0; checked against the slots. */
    static int resolve(SparkContext sc, JobConfig config) {
        return resolve(() -> slots(sc), config.workers, registrationWaitMs(sc), gang(config));
    }

    /**
     * @param slots   the task slots of the executors registered now
     * @param workers the workers asked for (0: as many as there are slots)
     * @param waitMs  how long to wait for executors to register
     * @param gang    whether all workers must run at once (else too many is only said)
     */
    static int resolve(IntSupplier slots, int workers, long waitMs, boolean gang) {
        long start = System.currentTimeMillis();
        long end = start + waitMs;
        int seen = slots.getAsInt();
        long since = start;
        while (System.currentTimeMillis() < end && (workers > 0 ? seen < workers
                : seen == 0 || System.currentTimeMillis() - since < SETTLED_MS)) {
            sleep();
            int now = slots.getAsInt();
            if (now != seen) {
                seen = now;
                since = System.currentTimeMillis();
            }
        }
        long waited = (System.currentTimeMillis() - start) / 1000;
        if (seen == 0) {
            throw new ConfigError("no executor registered within " + waited + " s (spark.scheduler."
                    + "maxRegisteredResourcesWaitingTime): the cluster gave the job no task slots");
        }
        if (workers == 0) {
            log.info("workers = 0: training on all {} task slots (executor cores / spark.task.cpus{})", seen,
                    waited > 0 ? ", after waiting " + waited + " s for executors to register" : "");
            return seen;
        }
        if (workers > seen) {
            String why = "workers = " + workers + " but the executors offer " + seen + " task slots (executor "
                    + "cores / spark.task.cpus" + (waitMs > 0 ? ", after waiting " + waited + " s for executors "
                    + "(spark.scheduler.maxRegisteredResourcesWaitingTime)" : "") + ")";
            if (gang) {
                throw new ConfigError(why + ": each worker runs its whole epoch as one task and waits for the others "
                        + "every round, so all must run at once. Set workers to at most " + seen
                        + " (0 takes every slot), or give the job more executor cores (spark.cores.max, "
                        + "spark.executor.instances, local[N])");
            }
            log.warn("{}: DL4J's averaging master runs its rounds' tasks in turns, slower", why);
        }
        return workers;
    }

    /**
     * Before an epoch: its {@code workers} tasks can all run at once, or, after the registered-resources
     * wait for lost executors to come back, the run stops as a cluster failure (exit 4: a rerun resumes
     * from the last epoch) instead of starting tasks that would wait for the missing ones.
     */
    static void ensure(SparkContext sc, JobConfig config, int workers, int epoch) {
        if (!gang(config) || slots(sc) >= workers) {
            return;
        }
        long waitMs = registrationWaitMs(sc);
        try {
            resolve(() -> slots(sc), workers, waitMs, true);
        } catch (ConfigError lost) {
            throw new java.io.UncheckedIOException(new java.io.IOException("epoch " + epoch + " needs "
                    + workers + " task slots at once and the executors offer " + slots(sc) + " (executors were lost "
                    + "and not replaced within " + waitMs / 1000 + " s); rerun to resume from the last completed epoch"));
        }
    }

    /** Whether all workers must run at once: resident averaging and sharing hold their tasks for the epoch. */
    private static boolean gang(JobConfig config) {
        return config.trainingMode == JobConfig.TrainingMode.SHARING
                || config.optimizerState == JobConfig.OptimizerState.RESIDENT;
    }

    /** Spark's registered-resources wait (none in local mode, whose slots are known at once). */
    private static long registrationWaitMs(SparkContext sc) {
        return sc.isLocal() ? 0 : sc.getConf().getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s");
    }

    /** Spark's count of the task slots of the registered executors (the one its barrier stages check). */
    static int slots(SparkContext sc) {
        return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for executors", e);
        }
    }
}
