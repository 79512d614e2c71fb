package io.sparkalex.averaging;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.sparkalex.config.PortRange;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * The HTTP plumbing the driver's {@link ParameterExchange} and a worker's {@link UpdateRelay}
 * share: a JDK server (HTTPS with {@link ExchangeTls}) on a bounded pool of daemon threads whose
 * every request proves the application's secret before it is routed, and the replies both send
 * (an array's bytes, a short text).
 *
 * <p>Deadlines: the JDK server closes a connection whose request has not arrived within
 * {@code sun.net.httpserver.maxReqTime} seconds, or whose reply has not been sent within
 * {@code maxRspTime} (they count from the request's headers, so this includes a request's wait for
 * its round); set here, once per JVM, to {@value #REQUEST_DEADLINE_S} s and the round wait plus
 * that, unless the JVM was started with them. A slow or stalled client thus holds a thread for a
 * bounded time, and never a lock (arrays are sent from {@link ServedArrays}).
 *
 * <p>Concurrency: the pool is bounded by the caller (every worker holds a request open for its
 * round, so the exchange's bound grows with the workers); what a handler guards is its own business.
 */
final class HttpEndpoint implements AutoCloseable {
    /** The header of a reply that says how long the request waited (on the server) for its body. */
    static final String WAITED_HEADER = "Sparkalex-Waited-Nanos";
    /**
     * What answers a request that proved the secret, told the task attempt it proved
     * ({@link ExchangeAuth#NO_ATTEMPT} when nothing is checked). Not an exchange attribute: the JDK
     * 17 server keeps those in the context, shared by every concurrent request.
     */
    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange http, long attempt) throws IOException;
    }
    /** Seconds a request may take to arrive, and a reply (after its round's wait) to be sent. */
    static final long REQUEST_DEADLINE_S = 300;

    static {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_DEADLINE_S));
        }
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
            System.setProperty("sun.net.httpserver.maxRspTime",
                    Long.toString(RoundRequests.ROUND_WAIT_MS / 1000 + REQUEST_DEADLINE_S));
        }
    }

    private final HttpServer server;
    private final java.util.concurrent.ThreadPoolExecutor threads;
    private final Refusals refusals;

    private HttpEndpoint(HttpServer server, java.util.concurrent.ThreadPoolExecutor threads, Refusals refusals) {
        this.server = server;
        this.threads = threads;
        this.refusals = refusals;
    }

    /** Requests refused for want of the application's secret; the first is logged. */
    static final class Refusals {
        private final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        private final String server;

        Refusals(String server) {
            this.server = server;
        }

        void refused(java.net.InetSocketAddress from) {
            if (count.getAndIncrement() == 0) {
                org.slf4j.LoggerFactory.getLogger(HttpEndpoint.class).warn("{}: refused a request from {} that did "
                        + "not prove the application's secret (spark.authenticate), or replayed one; later refusals "
                        + "are counted, not logged", server, from);
            }
        }

        long count() {
            return count.get();
        }
    }

    /**
     * Starts a server on {@code address} (port 0: any free one; HTTPS under {@code tls}, null:
     * plain HTTP) with at most {@code threads} threads named {@code threadName}, that answers
     * requests under {@code context} with {@code handler}. A request that does not prove
     * {@code auth}'s secret gets 401 before its path is looked at or its body read; the handler is
     * told the task attempt a request proved.
     */
    static HttpEndpoint start(String threadName, InetSocketAddress address, int backlog, int threads, String context,
                              ExchangeAuth auth, ExchangeTls tls, Handler handler) throws IOException {
        HttpServer server;
        if (tls == null) {
            server = HttpServer.create(address, backlog);
        } else {
            HttpsServer https = HttpsServer.create(address, backlog);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
            server = https;
        }
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(threads, threads,
                60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        Refusals refusals = new Refusals(threadName);
        server.createContext("/", http -> {
            try (http) {
                Long attempt = auth.verify(http.getRequestMethod(), http.getRequestURI().getRawPath(),
                        http.getRequestHeaders().getFirst(ExchangeAuth.HEADER));
                if (attempt == null) {
                    refusals.refused(http.getRemoteAddress());
                    reply(http, 401, "not authenticated");
                } else if (!http.getRequestURI().getRawPath().startsWith(context)) {
                    reply(http, 404, "no such resource");
                } else {
                    handler.handle(http, attempt);
                }
            }
        });
        server.setExecutor(pool);
        server.start();
        return new HttpEndpoint(server, pool, refusals);
    }

    /** Starts a server on the first free port of {@code ports} at {@code host} (see {@link #start}). */
    static HttpEndpoint startInRange(String threadName, java.net.InetAddress host, PortRange ports, int backlog,
                                     int threads, String context, ExchangeAuth auth, ExchangeTls tls,
                                     Handler handler) throws IOException {
        java.net.BindException last = null;
        for (int port = ports.first(); port <= ports.last(); port++) {
            try {
                return start(threadName, new InetSocketAddress(host, port), backlog, threads, context, auth, tls,
                        handler);
            } catch (java.net.BindException e) {
                last = e;
            }
        }
        throw new java.net.BindException("no free port in " + ports + " at " + host.getHostAddress()
                + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /** Raises the bound on threads to at least {@code n}. */
    synchronized void threadsAtLeast(int n) {
        if (n > threads.getMaximumPoolSize()) {
            threads.setMaximumPoolSize(n);
            threads.setCorePoolSize(n);
        }
    }

    /** Requests refused so far for want of the secret. */
    long refused() {
        return refusals.count();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The server's threads, for work a handler starts off its own thread. */
    ExecutorService threads() {
        return threads;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }


    /** Replies 200 with {@code body}'s bytes and how long the request waited for them; returns the bytes. */
    static long sendArray(HttpExchange http, INDArray body, long waitedNanos) throws IOException {
        long bytes = body.length() * body.dataType().width();
        http.getResponseHeaders().set(WAITED_HEADER, Long.toString(waitedNanos));
        http.sendResponseHeaders(200, bytes);
        try (OutputStream out = http.getResponseBody()) {
            Wire.write(body, out);
        }
        return bytes;
    }

    /** Replies {@code code} with a text message (null: no body). */
    static void reply(HttpExchange http, int code, String message) throws IOException {
        if (message == null) {
            http.sendResponseHeaders(code, -1);
            return;
        }
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        http.sendResponseHeaders(code, b.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(b);
        }
    }
}
