package io.sparkalex.averaging;

import org.apache.spark.SparkConf;

import java.util.function.Function;

/**
 * How the exchange and the relays protect their traffic, decided once on the driver from the
 * application's Spark settings, so that they are as strong as Spark's own RPC and block transfers:
 * <ul>
 *   <li>{@code spark.authenticate}: every request proves the application's secret
 *       ({@link ExchangeAuth}), and an upload is taken only from the task attempt that runs its
 *       partition ({@link TaskAttempts});</li>
 *   <li>{@code spark.network.crypto.enabled} (which Spark allows only with authentication): TLS on
 *       the exchange and every relay ({@link ExchangeTls}), so no parameter, change, token or peer
 *       address crosses the network in clear;</li>
 *   <li>neither: plain HTTP, as before, and the log says the exchange trusts its network.</li>
 * </ul>
 */
final class ExchangeProtection {
    /** Plain HTTP, nothing checked (tests; clusters without spark.authenticate). */
    static final ExchangeProtection NONE = new ExchangeProtection(token -> ExchangeAuth.TRUSTING, false, null);

    private final Function<String, ExchangeAuth> auth;
    private final boolean encrypt;
    private final TaskAttempts attempts;

    /**
     * @param auth     this JVM's signing key given the run's token ({@link ExchangeAuth#ofSpark} on a cluster)
     * @param encrypt  whether the exchange and relays speak TLS
     * @param attempts the running task attempts by partition (null: uploads are not tied to attempts)
     */
    ExchangeProtection(Function<String, ExchangeAuth> auth, boolean encrypt, TaskAttempts attempts) {
        this.auth = auth;
        this.encrypt = encrypt;
        this.attempts = attempts;
    }

    /** What the application's Spark settings ask for; {@code attempts} listens to its scheduler. */
    static ExchangeProtection ofSpark(SparkConf conf, TaskAttempts attempts) {
        boolean authenticate = conf.getBoolean("spark.authenticate", false);
        return new ExchangeProtection(ExchangeAuth::ofSpark,
                authenticate && conf.getBoolean("spark.network.crypto.enabled", false), authenticate ? attempts : null);
    }

    ExchangeAuth auth(String token) {
        return auth.apply(token);
    }

    boolean encrypt() {
        return encrypt;
    }

    /** The running attempts uploads are checked against, or null when they are not. */
    TaskAttempts attempts() {
        return attempts;
    }

    /** What the driver logs: which protection is in force. */
    static String describe(boolean authenticated, boolean encrypted) {
        if (!authenticated) {
            return "spark.authenticate is off: the exchange trusts its network (any host that reaches its port "
                    + "and learns the run's token can read the parameters and send results; plain HTTP)";
        }
        return "every request proves the application's secret (spark.authenticate) and uploads come only from "
                + "the task attempt running their partition; " + (encrypted
                ? "TLS with a per-run certificate on the exchange and every relay (spark.network.crypto.enabled)"
                : "plain HTTP: parameters cross the network in clear (spark.network.crypto.enabled is off)");
    }
}
