package io.sparkalex.averaging;

import org.apache.spark.SparkEnv;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Every request to the exchange and to a worker's relay proves Spark's application secret when the
 * application runs with {@code spark.authenticate}: an HMAC-SHA256 of the request's method and
 * path under a key derived from the secret and the run's token, in header {@value #HEADER}, checked
 * in constant time before the request is read or anything is allocated for it. The secret comes
 * from Spark's own {@link org.apache.spark.SecurityManager} on the driver and on each executor
 * (whatever the cluster manager: YARN and Kubernetes generate it per application), so it never
 * travels in a task; only whether to sign does.
 *
 * <p>Without {@code spark.authenticate} ({@link #TRUSTING}) nothing is signed or checked, as
 * before, and the exchange logs once that it trusts its network.
 */
final class ExchangeAuth {
    static final String HEADER = "Sparkalex-Signature";
    /** No secret: requests are neither signed nor checked. */
    static final ExchangeAuth TRUSTING = new ExchangeAuth(null);

    private final byte[] key;

    private ExchangeAuth(byte[] key) {
        this.key = key;
    }

    /** The run's key from {@code secret} (Spark's application secret) and the run's {@code token}. */
    static ExchangeAuth of(String secret, String token) {
        return new ExchangeAuth(hmac(secret.getBytes(StandardCharsets.UTF_8),
                ("sparkalex exchange " + token).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * This JVM's: the application's secret from Spark's SecurityManager when {@code spark.authenticate}
     * is on, else {@link #TRUSTING}.
     */
    static ExchangeAuth ofSpark(String token) {
        SparkEnv env = SparkEnv.get();
        if (env == null || !env.securityManager().isAuthenticationEnabled()) {
            return TRUSTING;
        }
        String secret = env.securityManager().getSecretKey();
        if (secret == null || secret.isEmpty()) {
            throw new IllegalStateException("spark.authenticate is on but this JVM has no application secret");
        }
        return of(secret, token);
    }

    boolean required() {
        return key != null;
    }

    /** The signature of a request (null when nothing is signed). */
    String sign(String method, String path) {
        return key == null ? null : HexFormat.of().formatHex(hmac(key, (method + " " + path)
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a request with {@code signature} (null: none) may be served. */
    boolean verify(String method, String path, String signature) {
        if (key == null) {
            return true;
        }
        byte[] expected = sign(method, path).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature == null ? new byte[0] : signature.getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);   // constant time in the signature's bytes
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
