package io.sparkalex.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Debian's {@code prometheus-pushgateway} (installed by {@code .ci/test}), started on a free
 * loopback port for one test class, and read back through its JSON API.
 */
public final class Pushgateway implements AutoCloseable {
    public static final String BINARY = "/usr/bin/prometheus-pushgateway";

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private Pushgateway(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static Pushgateway start(Path logDir) throws Exception {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install prometheus-pushgateway (.ci/test does)");
        }
        int port = freePort();
        Process p = new ProcessBuilder(BINARY, "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(logDir.resolve("pushgateway.log").toFile()).start();
        Pushgateway gateway = new Pushgateway(p, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (gateway.get("/-/ready").statusCode() == 200) {
                    return gateway;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("the Pushgateway did not start; see " + logDir.resolve("pushgateway.log"));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A port nothing listens on. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The series of one metric in the group of {@code job}/{@code run}: its labels (without job
     * and run) mapped to the value; empty when the group or metric is missing.
     */
    public Map<Map<String, String>, Double> series(String job, String run, String metric) throws Exception {
        JsonNode root = new ObjectMapper().readTree(get("/api/v1/metrics").body());
        Map<Map<String, String>, Double> out = new HashMap<>();
        for (JsonNode group : root.path("data")) {
            if (!job.equals(group.path("labels").path("job").asText()) || !run.equals(group.path("labels").path("run").asText())) {
                continue;
            }
            for (JsonNode m : group.path(metric).path("metrics")) {
                Map<String, String> labels = new HashMap<>();
                m.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                labels.keySet().removeAll(java.util.List.of("job", "run", "instance"));
                out.put(labels, Double.parseDouble(m.path("value").asText()));
            }
        }
        return out;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroy();
    }
}
