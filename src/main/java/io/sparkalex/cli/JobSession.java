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

    /**
     * spark-submit always sets spark.app.name: to {@code --name} when given, else to the main
     * class, which is no name for a run; only the first is kept.
     */
    static boolean namedBySubmit(org.apache.spark.SparkConf conf) {
        String name = conf.get("spark.app.name", "");
        return !name.isBlank() && !name.equals(Main.class.getName());
    }

    /** @param appName the application's name unless spark-submit's {@code --name} (or spark.app.name) gave one */
    static int run(String appName, Body body) throws Exception {
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession.Builder builder = SparkSession.builder();
        if (!namedBySubmit(new org.apache.spark.SparkConf())) {
            builder.appName(appName);
        }
        SparkSession spark = builder.getOrCreate();
        try {
            return body.run(spark);
        } finally {
            if (own) {
                spark.stop();
            }
        }
    }
}
