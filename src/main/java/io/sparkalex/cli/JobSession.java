package io.sparkalex.cli;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of one command: the one already running (tests, a notebook, spark-shell) or a
 * new one, stopped at the end only when this command started it.
 */
final class JobSession {
    /** What a command does with the session; returns its exit code. */
    @FunctionalInterface
    interface Body {
        int run(SparkSession spark) throws Exception;
    }

    private JobSession() {
    }

    static int run(String appName, Body body) throws Exception {
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().appName(appName).getOrCreate();
        try {
            return body.run(spark);
        } finally {
            if (own) {
                spark.stop();
            }
        }
    }
}
