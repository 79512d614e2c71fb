package io.sparkalex.bench;

import org.apache.spark.sql.SparkSession;

/** A Spark session in local mode, configured as conf/spark-defaults.conf configures the job. */
final class LocalSpark {
    private LocalSpark() {
    }

    /** @param workers worker threads; 0 = one per core */
    static SparkSession start(int workers) {
        return SparkSession.builder().master(workers > 0 ? "local[" + workers + "]" : "local[*]")
                .appName("sparkalex-bench").config("spark.ui.enabled", "false")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", "io.sparkalex.nd4j.FastNd4jRegistrator")
                .config("spark.driver.maxResultSize", "4g").getOrCreate();
    }
}
