package io.sparkalex.train;

import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In local mode every worker is a thread of the driver's JVM, and ND4J's ops and BLAS calls each
 * use every core: W workers oversubscribe the machine W times. This gives each worker its share.
 * ({@code OMP_NUM_THREADS} alone does not hold ND4J; its environment threads must be set too.)
 */
final class LocalThreads {
    private static final Logger log = LoggerFactory.getLogger(LocalThreads.class);

    private LocalThreads() {
    }

    /** @param threadsPerWorker the configured share, or 0 for cores / workers */
    static void limit(int workers, int threadsPerWorker) {
        int threads = threadsPerWorker > 0 ? threadsPerWorker
                : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        log.info("local mode: {} workers, {} ND4J/BLAS threads each", workers, threads);
    }
}
