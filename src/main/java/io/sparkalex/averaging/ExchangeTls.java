package io.sparkalex.averaging;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.math.BigInteger;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TLS for the exchange and the relays when the application runs with
 * {@code spark.network.crypto.enabled}: each server (the driver's exchange, each worker's relay)
 * makes its own key pair and self-signed certificate when it starts, and clients trust exactly
 * that certificate, by its SHA-256 fingerprint: the exchange's travels to the executors inside the
 * task (which Spark's encrypted RPC carries), a relay's to its children through the exchange (over
 * TLS). No certificate authority, no key on disk, nothing to configure; a private key never leaves
 * the JVM that made it.
 *
 * <p>Why TLS and not Spark's block transfer: bench/README.md ("Security") has the numbers; TLS keeps
 * the exchange's one-copy streaming from and into ND4J memory, and the JDK's AES-GCM runs at
 * several GB/s per core with AES-NI, well above the network.
 */
final class ExchangeTls {
    private static final Map<String, SSLSocketFactory> PINNED = new ConcurrentHashMap<>();

    private final SSLContext server;
    private final String fingerprint;

    private ExchangeTls(SSLContext server, String fingerprint) {
        this.server = server;
        this.fingerprint = fingerprint;
    }

    /** A new identity: an EC P-256 key pair and a certificate for it, valid for 30 days. */
    static ExchangeTls generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=sparkalex parameter exchange");
            Instant now = Instant.now();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))),
                            name, pair.getPublic())
                            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("exchange", pair.getPrivate(), password, new Certificate[]{cert});
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(managers.getKeyManagers(), null, new SecureRandom());
            return new ExchangeTls(context, fingerprint(cert));
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot make the exchange's TLS certificate", e);
        }
    }

    /** The server's TLS context (its key and certificate). */
    SSLContext serverContext() {
        return server;
    }

    /** The SHA-256 of the certificate (hex), which clients pin. */
    String fingerprint() {
        return fingerprint;
    }

    /** A socket factory that trusts only the certificate with this SHA-256 {@code fingerprint}. */
    static SSLSocketFactory pinnedTo(String fingerprint) {
        return PINNED.computeIfAbsent(fingerprint, f -> {
            try {
                SSLContext context = SSLContext.getInstance("TLSv1.3");
                context.init(null, new javax.net.ssl.TrustManager[]{new Pinned(f)}, new SecureRandom());
                return context.getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("TLSv1.3 is part of every JDK 17", e);
            }
        });
    }

    static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Trusts a server whose certificate has the pinned fingerprint, and nothing else (no name
     * check: the fingerprint names the one key the run made for that server).
     */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final byte[] expected;

        Pinned(String fingerprint) {
            this.expected = HexFormat.of().parseHex(fingerprint);
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !MessageDigest.isEqual(expected,
                    HexFormat.of().parseHex(fingerprint(chain[0])))) {
                throw new CertificateException("not the certificate this run made for the exchange");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the exchange's clients present no certificate");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
