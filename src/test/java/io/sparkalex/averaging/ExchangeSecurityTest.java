package io.sparkalex.averaging;

import io.sparkalex.config.PortRange;
import io.sparkalex.eval.ScoreSums;
import io.sparkalex.testing.Bits;
import io.sparkalex.testing.TestSpark;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exchange's protection under Spark's security settings, over real sockets: TLS to pinned
 * per-run certificates, signatures that cannot be replayed, uploads tied to the Spark task attempt
 * that runs their partition, relays confined to a port range.
 */
class ExchangeSecurityTest {
    private ParameterExchange exchange;

    @AfterEach
    void close() {
        if (exchange != null) {
            exchange.close();
        }
    }

    private static INDArray row(float... values) {
        return Nd4j.createFromArray(values).reshape(1, values.length).castTo(DataType.FLOAT);
    }

    private static ScoreSums fit() {
        return new ScoreSums(8, 1.0, 1, 2);
    }

    private static ExchangeProtection secured(boolean encrypt) {
        return new ExchangeProtection(token -> ExchangeAuth.of("s3cret", token), encrypt, null);
    }

    /**
     * Under spark.network.crypto.enabled the exchange and a relay speak only TLS, to clients that
     * pin their certificate: workers get the bits they would get in clear, a plaintext client gets
     * no HTTP answer, and a client that pins another certificate (someone else's server) refuses
     * to talk.
     */
    @Test
    void underNetworkCryptoTheExchangeAndRelaysSpeakOnlyTlsToTheirPinnedCertificates() throws Exception {
        exchange = ParameterExchange.start(Transfer.BF16, "127.0.0.1", "127.0.0.1", 0, secured(true));
        ExchangeLink worker = exchange.link().signingWith(ExchangeAuth.of("s3cret", exchange.link().token()), 7);
        INDArray params = row(1f, 2f, 3f);
        exchange.openEpoch(params, new int[] {1, 1}, null);
        INDArray into = Nd4j.createUninitialized(DataType.FLOAT, 1, 3);
        worker.fetchParameters(0, 0, into);
        Bits.assertBitIdentical(params, into, "the parameters, over TLS");

        assertNull(plaintextAnswer(exchange.port()), "a plaintext client gets no HTTP answer");

        ExchangeLink impostor = new ExchangeLink(exchange.link().url(), Transfer.BF16, true,
                ExchangeTls.generate().fingerprint(), PortRange.ANY)
                .signingWith(ExchangeAuth.of("s3cret", exchange.link().token()), 7);
        IOException refused = assertThrows(IOException.class, () -> impostor.fetchParameters(0, 0, into));
        assertTrue(String.valueOf(refused.getMessage()).toLowerCase().contains("certificate")
                || refused instanceof javax.net.ssl.SSLException, refused.toString());

        try (UpdateRelay relay = UpdateRelay.start(worker.token(), ExchangeAuth.of("s3cret", worker.token()), true,
                PortRange.ANY, v -> true)) {
            assertNotNull(relay.fingerprint());
            INDArray change = Nd4j.createFromArray(1f, 0.5f, -2f).reshape(1, 3).castTo(DataType.BFLOAT16);
            relay.holds(1, change);
            INDArray base = row(0f, 0f, 0f);
            INDArray copy = row(0f, 0f, 0f);
            worker.addUpdate("127.0.0.1:" + relay.port() + " " + relay.fingerprint(), 1, 1, base, copy,
                    Nd4j.createUninitialized(DataType.BFLOAT16, 1, 3), new ChangeMath(), () -> { });
            Bits.assertBitIdentical(row(1f, 0.5f, -2f), copy, "the change, from the relay over TLS");
            assertNull(plaintextAnswer(relay.port()), "a plaintext client gets no HTTP answer from a relay");
        }
    }

    /** What a plaintext HTTP request to {@code port} gets back as text, or null when no HTTP answer comes. */
    private static String plaintextAnswer(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /x/params/0/0 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] b = in.readNBytes(5);
            String text = new String(b, StandardCharsets.ISO_8859_1);
            return text.startsWith("HTTP/") ? text : null;
        } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
            return null;
        }
    }

    /**
     * A signature holds a fresh nonce, accepted once: a captured request sent again is refused, as
     * is one whose path, method or task attempt was changed, or one signed with another secret.
     */
    @Test
    void aSignedRequestIsAcceptedOnceAndOnlyAsSigned() {
        ExchangeAuth driver = ExchangeAuth.of("s3cret", "run");
        ExchangeAuth worker = ExchangeAuth.of("s3cret", "run");
        String header = worker.sign("PUT", "/run/result/3/1", 42);
        assertEquals(42L, driver.verify("PUT", "/run/result/3/1", header));
        assertNull(driver.verify("PUT", "/run/result/3/1", header), "replayed");
        String other = worker.sign("PUT", "/run/result/3/1", 42);
        assertNull(driver.verify("PUT", "/run/result/4/1", other), "another round");
        assertNull(driver.verify("GET", "/run/result/3/1", other), "another method");
        assertNull(driver.verify("PUT", "/run/result/3/1", other.replaceFirst("^42", "43")), "another attempt");
        assertNull(driver.verify("PUT", "/run/result/3/1",
                ExchangeAuth.of("guessed", "run").sign("PUT", "/run/result/3/1", 42)), "another secret");
        assertNull(driver.verify("PUT", "/run/result/3/1", null), "no signature");
        assertNull(driver.verify("PUT", "/run/result/3/1", "42.1-ab.cd"), "garbage");
        assertEquals(42L, driver.verify("PUT", "/run/result/3/1", other), "the untouched one still passes, once");
        assertEquals(ExchangeAuth.NO_ATTEMPT, ExchangeAuth.TRUSTING.verify("PUT", "/x", null), "no spark.authenticate");
    }

    static final Map<Integer, Long> RUNNING = new ConcurrentHashMap<>();
    static volatile CountDownLatch release;

    /**
     * With a real Spark job: the exchange's view of task attempts (the scheduler's listener bus)
     * knows which attempt runs each partition of the epoch's job while it runs, and no other: not a
     * made-up attempt, not another partition's, and not the same attempt after its task ended.
     */
    @Test
    void uploadsAreTiedToTheTaskAttemptThatRunsTheirPartition() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        TaskAttempts attempts = new TaskAttempts("epoch-key", 2_000);
        sc.sc().addSparkListener(attempts);
        RUNNING.clear();
        release = new CountDownLatch(1);
        try {
            sc.setLocalProperty(TaskAttempts.JOB_PROPERTY, "epoch-key");
            JavaFutureAction<List<Integer>> job = sc.parallelize(List.of(0, 1), 2).map(p -> {
                RUNNING.put(TaskContext.getPartitionId(), TaskContext.get().taskAttemptId());
                release.await(60, TimeUnit.SECONDS);
                return p;
            }).collectAsync();
            sc.setLocalProperty(TaskAttempts.JOB_PROPERTY, null);
            long end = System.currentTimeMillis() + 60_000;
            while (RUNNING.size() < 2 && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            long a0 = RUNNING.get(0);
            long a1 = RUNNING.get(1);
            assertTrue(attempts.runs(0, a0), "partition 0's own attempt");
            assertTrue(attempts.runs(1, a1), "partition 1's own attempt");
            assertFalse(attempts.runs(0, a1), "another partition's attempt");
            assertFalse(attempts.runs(1, 999_999), "a made-up attempt");
            assertFalse(attempts.runs(0, ExchangeAuth.NO_ATTEMPT), "no attempt");
            release.countDown();
            job.get(60, TimeUnit.SECONDS);
            end = System.currentTimeMillis() + 10_000;
            boolean ended = false;
            while (!ended && System.currentTimeMillis() < end) {
                ended = !attempts.runs(0, a0);
            }
            assertTrue(ended, "an ended attempt owns its partition no more");
            assertEquals(java.util.Set.of(a0, a1), attempts.accepted());
        } finally {
            release.countDown();
            sc.sc().removeSparkListener(attempts);
        }
    }

    /** A relay listens on the first free port of its range, and says so when none is free. */
    @Test
    void aRelayListensWithinItsPortRange() throws Exception {
        int first;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            first = probe.getLocalPort();
        }
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new InetSocketAddress(first));
            PortRange range = new PortRange(first, first + 1);
            try (UpdateRelay relay = UpdateRelay.start("t", ExchangeAuth.TRUSTING, false, range, v -> true)) {
                assertEquals(first + 1, relay.port(), "the first free port of " + range);
                IOException full = assertThrows(IOException.class,
                        () -> UpdateRelay.start("t", ExchangeAuth.TRUSTING, false, range, v -> true));
                assertTrue(full.getMessage().contains("no free port in " + range), full.getMessage());
            }
        }
    }

    /**
     * Concurrent requests each reach their handler with the task attempt they proved, never
     * another's (JDK 17 shares exchange attributes between concurrent requests: an attribute here
     * judged one worker's upload by another's attempt).
     */
    @Test
    void concurrentRequestsEachCarryTheirOwnAttempt() throws Exception {
        ExchangeAuth server = ExchangeAuth.of("s3cret", "t");
        java.util.List<String> wrong = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CountDownLatch together = new java.util.concurrent.CountDownLatch(8);
        try (HttpEndpoint endpoint = HttpEndpoint.start("test", new InetSocketAddress("127.0.0.1", 0), 64, 16, "/t/",
                server, null, (http, attempt) -> {
                    try (http) {
                        long named = Long.parseLong(http.getRequestURI().getPath().substring("/t/".length()));
                        together.countDown();
                        together.await(5, TimeUnit.SECONDS);   // handlers overlap
                        if (named != attempt) {
                            wrong.add(named + " got " + attempt);
                        }
                        HttpEndpoint.reply(http, 204, null);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })) {
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                java.util.List<java.util.concurrent.Future<Integer>> replies = new java.util.ArrayList<>();
                for (long a = 100; a < 140; a++) {
                    long attempt = a;
                    replies.add(clients.submit(() -> HttpCalls.open(ExchangeAuth.of("s3cret", "t"), attempt, null,
                            "GET", "http://127.0.0.1:" + endpoint.port(), "/t/" + attempt).getResponseCode()));
                }
                for (var r : replies) {
                    assertEquals(204, r.get(30, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
            }
        }
        assertTrue(wrong.isEmpty(), "requests judged by another's attempt: " + wrong);
    }
}
