package io.sparkalex.sharing;

import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

/**
 * The UDP port each JVM of a gradient-sharing run listens on: the driver takes {@code base},
 * executor {@code i} takes {@code base + 1 + i}. DL4J's own suppliers give every JVM the same
 * port, which fails as soon as two executors (or an executor and the driver) share a host, as on
 * a test cluster on one machine or several executors per node. A firewall must let the range
 * {@code base .. base + executors} through between the cluster's hosts.
 */
final class ExecutorPortSupplier implements PortSupplier {
    private static final long serialVersionUID = 1L;

    private final int base;

    ExecutorPortSupplier(int base) {
        this.base = base;
    }

    /**
     * DL4J asks for the port right before it starts Aeron in this JVM, on the driver and on every
     * executor: the one hook that runs there first, so Aeron's settings, and the allow-list of
     * what its messages may hold ({@link AeronMessageFilter}), are made here too.
     */
    @Override
    public int getPort() {
        AeronSettings.apply();
        AeronMessageFilter.install();
        SparkEnv env = SparkEnv.get();
        String id = env == null ? "driver" : env.executorId();
        if ("driver".equals(id)) {
            return base;
        }
        try {
            return base + 1 + Integer.parseInt(id);
        } catch (NumberFormatException e) {
            return base + 1 + Math.floorMod(id.hashCode(), 1000);
        }
    }
}
