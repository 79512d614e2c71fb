package io.sparkalex.averaging;

import org.apache.spark.SparkEnv;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Every request to the exchange and to a worker's relay proves Spark's application secret when the
 * application runs with {@code spark.authenticate}: header {@value #HEADER} holds the task attempt
 * that sends it, a fresh nonce (its time and 128 random bits) and an HMAC-SHA256 of the request's
 * method, path, attempt and nonce under a key derived from the secret and the run's token. It is
 * checked in constant time before the request is read or anything is allocated for it, and a
 * nonce is accepted once (a replayed request is refused like a forged one). The secret comes from
 * Spark's own {@link org.apache.spark.SecurityManager} on the driver and on each executor
 * (whatever the cluster manager: YARN and Kubernetes generate it per application), so it never
 * travels in a task; only whether to sign does. The attempt lets the exchange take an upload only
 * from the task attempt that runs its partition ({@link TaskAttempts}).
 *
 * <p>Without {@code spark.authenticate} ({@link #TRUSTING}) nothing is signed or checked, as
 * before, and the exchange logs once that it trusts its network.
 */
final class ExchangeAuth {
    static final String HEADER = "Sparkalex-Signature";
    /** No secret: requests are neither signed nor checked. */
    static final ExchangeAuth TRUSTING = new ExchangeAuth(null);
    /** The attempt of a request that names none (a test, or a request outside a task). */
    static final long NO_ATTEMPT = -1;
    /** How far a nonce's time may be from this JVM's clock, and how long a nonce is remembered. */
    private static final long NONCE_WINDOW_MS = java.util.concurrent.TimeUnit.HOURS.toMillis(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    /** Nonces accepted within the window, by when they were accepted (oldest first). */
    private final java.util.LinkedHashMap<String, Long> seen = new java.util.LinkedHashMap<>();

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

    /** The header of a request by task attempt {@code attempt} (null when nothing is signed). */
    String sign(String method, String path, long attempt) {
        if (key == null) {
            return null;
        }
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String nonce = System.currentTimeMillis() + "-" + HexFormat.of().formatHex(random);
        return attempt + "." + nonce + "." + mac(method, path, attempt, nonce);
    }

    /**
     * The task attempt a request with header {@code header} (null: none) comes from ({@link #NO_ATTEMPT}
     * when nothing is checked), or null when it does not prove the secret or replays an earlier request.
     */
    Long verify(String method, String path, String header) {
        if (key == null) {
            return NO_ATTEMPT;
        }
        String[] parts = header == null ? new String[0] : header.split("\\.", 3);
        if (parts.length != 3) {
            return null;
        }
        long attempt;
        long time;
        try {
            attempt = Long.parseLong(parts[0]);
            time = Long.parseLong(parts[1].substring(0, Math.max(0, parts[1].indexOf('-'))));
        } catch (NumberFormatException e) {
            return null;
        }
        byte[] expected = mac(method, path, attempt, parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return null;   // constant time in the signature's bytes
        }
        long now = System.currentTimeMillis();
        if (Math.abs(now - time) > NONCE_WINDOW_MS) {
            return null;
        }
        synchronized (seen) {
            for (var oldest = seen.values().iterator(); oldest.hasNext() && now - oldest.next() > NONCE_WINDOW_MS; ) {
                oldest.remove();   // accepted in order: the first one still in the window ends the sweep
            }
            return seen.putIfAbsent(parts[1], now) == null ? attempt : null;
        }
    }

    private String mac(String method, String path, long attempt, String nonce) {
        return HexFormat.of().formatHex(hmac(key, (method + " " + path + " " + attempt + " " + nonce)
                .getBytes(StandardCharsets.UTF_8)));
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
