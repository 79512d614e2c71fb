package io.sparkalex.sharing;

/**
 * Aeron settings DL4J's gradient sharing needs and does not make. DL4J 1.0.0-M2's transport
 * gives Aeron clients a 30 s liveness timeout, and Aeron 1.32 refuses to start unless the
 * publication unblock timeout (default 15 s) is longer: "publicationUnblockTimeoutNs=15000000000
 * <= clientLivenessTimeoutNs=30000000000". Aeron reads its settings from system properties when
 * its media driver starts, so they are set in each JVM before that; a value the user set
 * (e.g. in spark.executor.extraJavaOptions) is kept.
 */
final class AeronSettings {
    static final String UNBLOCK_TIMEOUT = "aeron.publication.unblock.timeout";

    private AeronSettings() {
    }

    static void apply() {
        if (System.getProperty(UNBLOCK_TIMEOUT) == null) {
            System.setProperty(UNBLOCK_TIMEOUT, "60s");
        }
    }
}
