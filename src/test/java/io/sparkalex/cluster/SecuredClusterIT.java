package io.sparkalex.cluster;

import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.testing.Bits;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on a secured cluster: a standalone cluster of its own whose Master, Workers and
 * application run with {@code spark.authenticate}, a shared secret and
 * {@code spark.network.crypto.enabled}. The run completes while an intruder who knows every port
 * the job opened (the exchange's and the relays' range) but not the secret knocks on each: in
 * plain text it gets no HTTP answer, over TLS every request is refused, and the servers count the
 * refusals; every result the exchange took came from one of the epoch's task attempts. In local
 * mode, where runs are bit-identical, the intruded run ends with an undisturbed run's bits.
 */
@Tag("cluster")
class SecuredClusterIT {
    static final String SECRET = "it-" + java.util.UUID.randomUUID();
    static java.nio.file.Path base;
    static StandaloneCluster cluster;
    static String data;

    @BeforeAll
    static void start() throws Exception {
        base = Files.createTempDirectory(ChildJvm.ROOT.resolve("target"), "it-secured-");
        java.nio.file.Path props = base.resolve("secured.properties");
        Files.writeString(props, "spark.authenticate true\nspark.authenticate.secret " + SECRET
                + "\nspark.network.crypto.enabled true\n");
        cluster = new StandaloneCluster(base, 2, 1, "3g", props);
        data = base.resolve("data").toUri().toString();
        new SampleDataGenerator(3, 12, 2).write(data, new Configuration());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static List<String> train(String out, int exchangePort, int relayPort) {
        List<String> args = new ArrayList<>(List.of("train", "--csv", data + "/" + SampleDataGenerator.CSV,
                "--images", data + "/" + SampleDataGenerator.IMAGES, "--out", out));
        args.addAll(TinyConfig.flags("epochs", "2", "batch_size", "8", "averaging_frequency", "2",
                "learning_rate", "1e-3", "exchange_port", "" + exchangePort,
                "relay_ports", relayPort + "-" + (relayPort + 3), "exchange_relay", "on"));
        return args;
    }

    static final List<String> SECURED = List.of("--conf", "spark.authenticate=true",
            "--conf", "spark.network.crypto.enabled=true", "--conf", "spark.ui.enabled=false");

    static ChildJvm submit(String script, Map<String, String> env, List<String> options, List<String> args,
                           String log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/" + script));
        cmd.addAll(options);
        cmd.addAll(args);
        Map<String, String> e = new HashMap<>(cluster.env());
        e.put("SPARKALEX_JOB_JAR", System.getProperty("sparkalex.jobJar"));
        e.put("DRIVER_MEMORY", "1g");
        e.putAll(env);
        return ChildJvm.start(cmd, e, base.resolve("logs/" + log));
    }

    @Test
    void onASecuredStandaloneClusterTheRunCompletesAndAnIntruderIsRefusedOnEveryPort() throws Exception {
        int exchangePort = StandaloneCluster.freePort();
        int relayPort = StandaloneCluster.freePort();
        String out = base.resolve("runs/secured").toUri().toString();
        List<String> options = new ArrayList<>(SECURED);
        options.addAll(List.of("--conf", "spark.authenticate.secret=" + SECRET, "--conf", "spark.executor.memory=1g",
                "--conf", "spark.cores.max=2"));
        Intruder intruder = new Intruder(exchangePort, relayPort, relayPort + 3);
        try (ChildJvm job = submit("standalone.sh", Map.of("SPARK_MASTER_URL", cluster.masterUrl()), options,
                train(out, exchangePort, relayPort), "secured.log")) {
            intruder.start();
            assertEquals(0, job.waitFor(10, TimeUnit.MINUTES), job.output());
            intruder.stop();
            String log = job.output();
            assertTrue(log.contains("TLS with a per-run certificate on the exchange and every relay"),
                    "the driver says which protection is in force");
            intruder.assertRefusedEverywhere();
            assertTrue(intruder.tlsToExchange.get() > 0 && intruder.tlsToRelays.get() > 0,
                    "the intruder reached the exchange and a relay over TLS: " + intruder);
            // Server-side: the exchange counted refusals, took no upload from a stranger, and took
            // each result from one of the epoch's task attempts (2 workers x 2 epochs, no retries).
            Matcher m = Pattern.compile("(\\d+) requests refused so far for want of the application's secret; "
                    + "(\\d+) uploads refused as not from the task attempt running their partition; "
                    + "uploads accepted from task attempts \\[([0-9, ]*)]").matcher(log);
            long refused = 0;
            String accepted = null;
            while (m.find()) {
                refused = Long.parseLong(m.group(1));
                assertEquals("0", m.group(2), "no upload came from outside a task attempt");
                accepted = m.group(3);
            }
            assertTrue(refused > 0, "the exchange counted the intruder's refusals:\n" + log);
            assertEquals(4, accepted.split(", ").length, "results from the four task attempts: " + accepted);
            assertTrue(executorLogs().stream().anyMatch(t -> t.contains("update relay: refused")),
                    "a relay counted the intruder's refusals");
        }
        FileSystem fs = FileSystem.get(java.net.URI.create(out), new Configuration());
        assertTrue(fs.exists(new Path(out, "_SUCCESS")));
    }

    @Test
    void inLocalModeAnIntrudedRunEndsWithAnUndisturbedRunsBits() throws Exception {
        float[] undisturbed = localRun("quiet", false);
        float[] intruded = localRun("intruded", true);
        Bits.assertBitIdentical(org.nd4j.linalg.factory.Nd4j.createFromArray(undisturbed),
                org.nd4j.linalg.factory.Nd4j.createFromArray(intruded), "the final parameters");
    }

    private float[] localRun(String name, boolean intrude) throws Exception {
        int exchangePort = StandaloneCluster.freePort();
        int relayPort = StandaloneCluster.freePort();
        String out = base.resolve("runs/local-" + name).toUri().toString();
        Intruder intruder = new Intruder(exchangePort, relayPort, relayPort + 3);
        try (ChildJvm job = submit("local.sh", Map.of("LOCAL_CORES", "2"), SECURED, train(out, exchangePort, relayPort),
                "local-" + name + ".log")) {
            if (intrude) {
                intruder.start();
            }
            assertEquals(0, job.waitFor(10, TimeUnit.MINUTES), job.output());
            intruder.stop();
            if (intrude) {
                intruder.assertRefusedEverywhere();
                assertTrue(intruder.tlsToExchange.get() > 0, "the intruder reached the exchange: " + intruder);
            }
        }
        FileSystem fs = FileSystem.get(java.net.URI.create(out), new Configuration());
        CheckpointStore.Checkpoint latest = new CheckpointStore(fs, new Path(out)).load(CheckpointStore.LATEST)
                .orElseThrow();
        return latest.network().params().toFloatVector();
    }

    private List<String> executorLogs() throws IOException {
        List<String> logs = new ArrayList<>();
        for (java.nio.file.Path work : cluster.workDirs) {
            try (var files = Files.walk(work)) {
                for (java.nio.file.Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                    logs.add(Files.readString(f));
                }
            }
        }
        return logs;
    }

    /**
     * Knocks on the job's ports while it runs, knowing them but not the secret: a plaintext request
     * (must get no HTTP answer), then over TLS (trusting any certificate) a download and an upload
     * with a forged signature (must get 401). Counts what reached a listening server.
     */
    static final class Intruder {
        private final int exchangePort;
        private final int firstRelay;
        private final int lastRelay;
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;
        final AtomicLong tlsToExchange = new AtomicLong();
        final AtomicLong tlsToRelays = new AtomicLong();
        final AtomicLong plaintextAnswered = new AtomicLong();
        final List<String> served = java.util.Collections.synchronizedList(new ArrayList<>());

        Intruder(int exchangePort, int firstRelay, int lastRelay) {
            this.exchangePort = exchangePort;
            this.firstRelay = firstRelay;
            this.lastRelay = lastRelay;
        }

        void start() {
            running.set(true);
            thread = new Thread(() -> {
                while (running.get()) {
                    for (int port = firstRelay - 1; port <= lastRelay; port++) {
                        int p = port < firstRelay ? exchangePort : port;
                        knock(p, p == exchangePort ? tlsToExchange : tlsToRelays);
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "intruder");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join(30_000);
            }
        }

        private void knock(int port, AtomicLong reached) {
            String plain = request(port, false, "GET", "/t/params/0/0");
            if (plain != null && plain.startsWith("HTTP/")) {
                plaintextAnswered.incrementAndGet();
                served.add("plaintext " + port + ": " + plain);
            }
            for (String[] r : new String[][] {{"GET", "/t/params/0/0"}, {"GET", "/t/update/1/1"},
                    {"PUT", "/t/result/0/0"}, {"PUT", "/t/peer/1"}}) {
                String status = request(port, true, r[0], r[1]);
                if (status != null) {
                    reached.incrementAndGet();
                    if (!status.startsWith("HTTP/1.1 401")) {
                        served.add(r[0] + " " + port + r[1] + ": " + status);
                    }
                }
            }
        }

        /** The reply's status line, or null when nothing listens or no HTTP answer came. */
        private static String request(int port, boolean tls, String method, String path) {
            try (Socket raw = new Socket()) {
                raw.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                raw.setSoTimeout(5_000);
                Socket s = raw;
                if (tls) {
                    SSLContext any = SSLContext.getInstance("TLS");
                    any.init(null, new TrustManager[] {new TrustAll()}, null);
                    SSLSocket t = (SSLSocket) any.getSocketFactory().createSocket(raw, "127.0.0.1", port, false);
                    t.startHandshake();
                    s = t;
                }
                String forged = "1." + System.currentTimeMillis() + "-00." + "ab".repeat(32);
                s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        + "Sparkalex-Signature: " + forged + "\r\nContent-Length: " + (method.equals("PUT") ? 4 : 0)
                        + "\r\n\r\n" + (method.equals("PUT") ? "1234" : "")).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int c = in.read(); c >= 0 && c != '\r' && line.length() < 200; c = in.read()) {
                    line.append((char) c);
                }
                return line.length() == 0 ? null : line.toString();
            } catch (IOException | java.security.GeneralSecurityException e) {
                return null;
            }
        }

        void assertRefusedEverywhere() {
            assertEquals(0, plaintextAnswered.get(), "no plaintext request got an HTTP answer: " + served);
            assertTrue(served.isEmpty(), "every TLS request was refused with 401: " + served);
        }

        @Override
        public String toString() {
            return "tls requests that reached the exchange " + tlsToExchange + ", a relay " + tlsToRelays;
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
