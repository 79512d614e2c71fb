package io.sparkalex.monitor;

import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.RunStatus;
import io.sparkalex.storage.Uris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pushes the run's metrics to a Prometheus Pushgateway (job {@code sparkalex}, grouped by
 * {@code run} = the run's name), the way batch jobs report to Prometheus. Pushes go out on a
 * thread of their own, newest state first (a push not yet sent is replaced by a newer one), each
 * bounded by {@code timeout}: a Pushgateway that is down or slow costs training nothing, and is
 * logged once. Pushes use POST, which replaces only the metrics pushed, so
 * {@code sparkalex_last_success_timestamp_seconds} survives the pushes of later runs until one
 * of them succeeds.
 */
public final class MetricsPusher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsPusher.class);
    public static final String JOB = "sparkalex";

    private final URI target;
    private final Duration timeout;
    private final HttpClient http;
    private final ExecutorService sender;
    private final AtomicReference<String> pending = new AtomicReference<>();
    private volatile boolean failing;

    private MetricsPusher(URI target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
        this.http = target == null ? null : HttpClient.newBuilder().connectTimeout(timeout).build();
        this.sender = target == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sparkalex-metrics-push");
            t.setDaemon(true);
            return t;
        });
    }

    /** A pusher to the Pushgateway at {@code baseUrl}; one that does nothing when it is blank. */
    public static MetricsPusher to(String baseUrl, String runName, Duration timeout) {
        if (baseUrl == null || baseUrl.isBlank()) {
            return new MetricsPusher(null, timeout);
        }
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return new MetricsPusher(URI.create(base + "/metrics/job/" + JOB + "/run/" + encode(runName)), timeout);
    }

    /** Queues a push of the run's state; returns at once. */
    public void push(RunStatus status, List<EpochMetrics> history, Double badRowFraction) {
        if (target == null) {
            return;
        }
        if (pending.getAndSet(PushedMetrics.render(status, history, badRowFraction)) == null) {
            sender.execute(this::sendPending);
        }
    }

    private void sendPending() {
        String body = pending.getAndSet(null);
        if (body == null) {
            return;
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(target).timeout(timeout)
                    .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new java.io.IOException("HTTP " + r.statusCode() + ": " + r.body().strip());
            }
            if (failing) {
                failing = false;
                log.info("metrics push to {} works again", Uris.redact(target.toString()));
            }
        } catch (Exception e) {
            if (!failing) {
                failing = true;
                log.warn("cannot push metrics to {} ({}); training goes on, and further failures are not logged "
                        + "until a push succeeds", Uris.redact(target.toString()), e.toString());
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits (at most the timeout) for the last queued push, e.g. the final state before the process exits. */
    @Override
    public void close() {
        if (sender == null) {
            return;
        }
        sender.shutdown();
        try {
            if (!sender.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A grouping-label value the Pushgateway takes in a URL path as it is: no '/', nothing to escape. */
    private static String encode(String s) {
        return s.replaceAll("[^A-Za-z0-9_.:-]", "_");
    }
}
