package io.sparkalex.sharing;

import org.apache.spark.SparkConf;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * DL4J's gradient sharing ({@code SharedTrainingMaster}) set up for this job: each worker trains
 * its partition of the epoch's minibatches in one long task and, after every minibatch, sends the
 * parts of its update above an adaptive threshold (threshold-encoded, the rest kept as a residual
 * for later) to every other worker over Aeron UDP; no per-round driver round trip, one Spark job
 * per epoch. The driver's network gets the workers' parameters and optimizer state at the end of
 * each epoch, so checkpoints, evaluation and resume work as in averaging mode.
 *
 * <p>Settings a real cluster needs (README, "Training modes"): the driver's address as the
 * executors reach it (Spark's {@code spark.driver.host}), a network mask that selects each
 * executor's interface on the cluster network, and the UDP ports of {@link ExecutorPortSupplier}.
 */
public final class GradientSharing {
    private GradientSharing() {
    }

    /**
     * @param workers      total workers (executor cores); the epoch's minibatches are dealt into that many partitions
     * @param batchSize    images per minibatch
     * @param threshold    initial update threshold of DL4J's adaptive algorithm (its default 1e-3)
     * @param port         UDP port of the driver; executor i uses port + 1 + i
     * @param networkMask  CIDR of the cluster network, e.g. 10.1.0.0/16; empty: the driver's address's /16
     */
    public static SharedTrainingMaster master(SparkConf spark, int workers, int batchSize, int prefetch,
                                              double threshold, int port, String networkMask, long seed) {
        AeronSettings.apply();
        AeronMessageFilter.install();
        String driver = driverAddress(spark);
        VoidConfiguration voidConfiguration = VoidConfiguration.builder()
                .unicastPort(port)
                .portSupplier(new ExecutorPortSupplier(port))
                .controllerAddress(driver)
                .networkMask(networkMask.isBlank() ? sixteenBitMask(driver) : networkMask)
                .build();
        return new SharedTrainingMaster.Builder(voidConfiguration, workers, new AdaptiveThresholdAlgorithm(threshold),
                batchSize)
                .batchSizePerWorker(batchSize)
                .workersPerNode(1)
                .workerPrefetchNumBatches(prefetch)
                // the epoch's minibatches are already dealt into one partition per worker
                .repartitionData(Repartition.Never)
                .rngSeed(seed)
                .collectTrainingStats(false)
                .build();
    }

    /** The driver's IP address as executors reach it. */
    static String driverAddress(SparkConf spark) {
        String host = spark.get("spark.driver.host", "127.0.0.1");
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the driver's host " + host + " does not resolve", e);
        }
    }

    static String sixteenBitMask(String ipv4) {
        String[] octets = ipv4.split("\\.");
        if (octets.length != 4) {
            throw new IllegalStateException("gradient sharing needs an IPv4 driver address (got " + ipv4
                    + "); set sharing_network_mask");
        }
        return octets[0] + "." + octets[1] + ".0.0/16";
    }
}
