package io.sparkalex.averaging;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP plumbing the driver's {@link ParameterExchange} and a worker's {@link UpdateRelay}
 * share: a JDK server with one context under the run's token, on daemon threads, and the replies
 * both send (an array's bytes, a short text).
 *
 * <p>Concurrency: the thread pool is unbounded because a request may be held open for minutes
 * (a worker waiting for its round's version); what a handler guards is the handler's business.
 */
final class HttpEndpoint implements AutoCloseable {
    /** The header of a reply that says how long the request waited (on the server) for its body. */
    static final String WAITED_HEADER = "Sparkalex-Waited-Nanos";

    private final HttpServer server;
    private final ExecutorService threads;

    private HttpEndpoint(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Starts a server on {@code address} (port 0: any free one) that answers requests under
     * {@code context} with {@code handler}, on daemon threads named {@code threadName}; a request
     * that does not prove {@code auth}'s secret gets 401 before its body is read (the first such is
     * logged, without its path, which holds the run's token).
     */
    static HttpEndpoint start(String threadName, InetSocketAddress address, int backlog, String context,
                              ExchangeAuth auth, HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(address, backlog);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        server.createContext(context, http -> {
            if (auth.verify(http.getRequestMethod(), http.getRequestURI().getRawPath(),
                    http.getRequestHeaders().getFirst(ExchangeAuth.HEADER))) {
                handler.handle(http);
                return;
            }
            try (http) {
                if (!told.getAndSet(true)) {
                    org.slf4j.LoggerFactory.getLogger(HttpEndpoint.class).warn("{}: refused a request from {} that "
                            + "did not prove the application's secret (spark.authenticate); later refusals are not "
                            + "logged", threadName, http.getRemoteAddress());
                }
                reply(http, 401, "not authenticated");
            }
        });
        server.setExecutor(threads);
        server.start();
        return new HttpEndpoint(server, threads);
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
