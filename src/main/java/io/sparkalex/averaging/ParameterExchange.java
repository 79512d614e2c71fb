package io.sparkalex.averaging;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The driver's side of an averaging round, over plain HTTP from the driver's JVM: workers fetch
 * the parameters (or the last round's change to them) and send their results here, not through
 * Spark's broadcast and task results.
 *
 * <p>Why not Spark: a broadcast of 233 MB is serialised on the driver, cut into blocks, fetched
 * block by block into each executor's block manager and deserialised; a task result of 233 MB is
 * serialised twice on the executor, stored as a block, fetched and deserialised on the driver's
 * heap. The round breakdown (bench/README.md) put 80% of a round's fixed cost there. Here the
 * bytes go from one ND4J array's off-heap memory to a socket and from the socket into another's
 * ({@link Wire}), once each way.
 *
 * <p>Results are summed in partition order as they arrive (a result that arrives early waits for
 * the ones before it), so the sum, and the run, is the same whichever worker finishes first. A
 * second result for a partition (a retried task) is ignored: the first one is a complete, valid
 * training of that partition's minibatches. Requests name the round's version; a late request of
 * an earlier round (a task attempt on a lost executor) gets 409 and changes nothing.
 *
 * <p>Paths, under a random token per run: {@code GET /t/params/V} (float32 parameters of version
 * V), {@code GET /t/update/V} (the bfloat16 change that made version V), {@code PUT /t/result/V/P}
 * (partition P's result of the round that starts from version V).
 */
public final class ParameterExchange implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParameterExchange.class);

    private final Transfer transfer;
    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;
    /** Held to read {@link #params} / {@link #update}; written when a round is applied. */
    private final ReadWriteLock state = new ReentrantReadWriteLock();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private long version;
    private INDArray params;
    private INDArray update;
    private Round open;
    /**
     * Reused from round to round: results as received, their sum, and a float32 row for a bf16
     * result or update decoded (results are added under the read lock, the update applied under
     * the write lock, so never both at once).
     */
    private final Deque<INDArray> free = new ArrayDeque<>();
    private INDArray sum;
    private INDArray decoded;

    /** What one round moved: bytes sent to and received from the workers. */
    public record Traffic(long sentBytes, long receivedBytes) {
    }

    private ParameterExchange(Transfer transfer, HttpServer server, ExecutorService threads, String url) {
        this.transfer = transfer;
        this.server = server;
        this.threads = threads;
        this.url = url;
    }

    /**
     * Starts the exchange on {@code bindHost:port} (port 0: any free one), reachable by the
     * executors as {@code advertisedHost} (the driver's host, as Spark tells executors).
     */
    public static ParameterExchange start(Transfer transfer, String bindHost, String advertisedHost, int port)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bindHost, port), 64);
        ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "sparkalex-exchange");
            t.setDaemon(true);
            return t;
        });
        String token = UUID.randomUUID().toString();
        String url = "http://" + advertisedHost + ":" + server.getAddress().getPort() + "/" + token;
        ParameterExchange exchange = new ParameterExchange(transfer, server, threads, url);
        server.createContext("/" + token + "/", exchange::handle);
        server.setExecutor(threads);
        server.start();
        log.info("parameter exchange ({}) listening on {}:{}", transfer.name().toLowerCase(java.util.Locale.ROOT),
                bindHost, server.getAddress().getPort());
        return exchange;
    }

    /** Where the workers reach this exchange. */
    public ExchangeLink link() {
        return new ExchangeLink(url, transfer);
    }

    /** The version the next round starts from (rounds applied so far). */
    public long version() {
        state.readLock().lock();
        try {
            return version;
        } finally {
            state.readLock().unlock();
        }
    }

    /**
     * Opens a round on {@code parameters} (the driver network's, changed in place when the
     * round is applied) expecting results from partitions 0 to {@code partitions - 1}; returns
     * the version the round starts from.
     */
    public long openRound(INDArray parameters, int partitions) {
        state.writeLock().lock();
        try {
            if (params != parameters) {
                params = parameters;
                update = null;   // not a change of these parameters
            }
            open = new Round(version, partitions, params.length());
            sent.set(0);
            received.set(0);
            return version;
        } finally {
            state.writeLock().unlock();
        }
    }

    /**
     * Applies the round: the average of the workers' parameters (float32), or the average of their
     * changes, rounded to bfloat16 and added (bf16; kept as the next version's update). Every
     * partition's result must have arrived: a task only ends after its result is here.
     */
    public Traffic applyRound() {
        state.writeLock().lock();
        try {
            Round r = open;
            open = null;
            INDArray average = r.average();
            if (transfer == Transfer.FLOAT32) {
                params.assign(average);
                update = null;
            } else {
                update = Wire.reuse(update, DataType.BFLOAT16, params.length());
                update.assign(average);
                decoded = Wire.reuse(decoded, DataType.FLOAT, params.length());
                params.addi(decoded.assign(update));   // exactly what each worker adds to its copy
            }
            version++;
            return new Traffic(sent.get(), received.get());
        } finally {
            state.writeLock().unlock();
        }
    }

    /** Forgets an unfinished round (its job failed): later results for it are refused. */
    public void abandonRound() {
        state.writeLock().lock();
        try {
            if (open != null) {
                open.release();
                open = null;
            }
        } finally {
            state.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange http) throws IOException {
        try (http) {
            String[] p = http.getRequestURI().getPath().split("/");   // "", token, what, version[, partition]
            try {
                String what = p.length > 2 ? p[2] : "";
                long v = p.length > 3 ? Long.parseLong(p[3]) : -1;
                switch (http.getRequestMethod() + " " + what) {
                    case "GET params" -> serve(http, v, false);
                    case "GET update" -> serve(http, v, true);
                    case "PUT result" -> accept(http, v, p.length > 4 ? Integer.parseInt(p[4]) : -1);
                    default -> reply(http, 404, "no such resource");
                }
            } catch (NumberFormatException e) {
                reply(http, 400, "bad path " + http.getRequestURI().getPath());
            } catch (RuntimeException e) {
                log.warn("parameter exchange: {} {} failed", http.getRequestMethod(), http.getRequestURI(), e);
                reply(http, 500, e.toString());
            }
        }
    }

    private void serve(HttpExchange http, long v, boolean change) throws IOException {
        state.readLock().lock();
        try {
            INDArray body = change ? update : params == null ? null : Wire.owning(params);
            if (v != version || body == null) {
                reply(http, 409, "version " + v + (change ? " has no update" : " is not current") + " (current "
                        + version + ")");
                return;
            }
            long bytes = body.length() * body.dataType().width();
            http.sendResponseHeaders(200, bytes);
            try (OutputStream out = http.getResponseBody()) {
                Wire.write(body, out);
            }
            sent.addAndGet(bytes);
        } finally {
            state.readLock().unlock();
        }
    }

    private void accept(HttpExchange http, long v, int partition) throws IOException {
        Round r;
        state.readLock().lock();
        try {
            r = open;
        } finally {
            state.readLock().unlock();
        }
        if (r == null || r.version != v || partition < 0 || partition >= r.partitions) {
            reply(http, 409, "no open round " + v + " with partition " + partition);
            return;
        }
        long expected = transfer.bytes(r.length);
        String length = http.getRequestHeaders().getFirst("Content-Length");
        if (length == null || Long.parseLong(length) != expected) {
            reply(http, 400, "a result is " + expected + " bytes (got " + length + ")");
            return;
        }
        INDArray body = r.buffer();
        try (InputStream in = http.getRequestBody()) {
            Wire.read(in, body);
        } catch (IOException e) {
            r.recycle(body);
            throw e;
        }
        received.addAndGet(expected);
        // Added only while its round is still the open one: a late task's result must not land in
        // the next round's sum (the sum's buffer is reused).
        state.readLock().lock();
        try {
            if (open != r) {
                r.recycle(body);
                reply(http, 409, "round " + v + " was applied before this result arrived");
                return;
            }
            r.offer(partition, body);
        } finally {
            state.readLock().unlock();
        }
        reply(http, 204, null);
    }

    private static void reply(HttpExchange http, int code, String message) throws IOException {
        if (message == null) {
            http.sendResponseHeaders(code, -1);
            return;
        }
        byte[] b = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        http.sendResponseHeaders(code, b.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(b);
        }
    }

    /** One round's results, summed in partition order. */
    private final class Round {
        final long version;
        final int partitions;
        final long length;
        final Map<Integer, INDArray> waiting = new HashMap<>();
        int next;

        Round(long version, int partitions, long length) {
            this.version = version;
            this.partitions = partitions;
            this.length = length;
        }

        INDArray buffer() {
            INDArray b;
            synchronized (free) {
                b = free.poll();
            }
            return Wire.reuse(b, transfer.wireType, length);
        }

        void recycle(INDArray b) {
            synchronized (free) {
                free.push(b);
            }
        }

        synchronized void offer(int partition, INDArray result) {
            if (partition < next || waiting.containsKey(partition)) {
                recycle(result);   // a retried task's second result
                return;
            }
            waiting.put(partition, result);
            for (INDArray r = waiting.remove(next); r != null; r = waiting.remove(next)) {
                add(r);
                recycle(r);
                next++;
            }
        }

        private void add(INDArray result) {
            sum = Wire.reuse(sum, DataType.FLOAT, length);
            if (next == 0) {
                sum.assign(result);
            } else if (transfer == Transfer.FLOAT32) {
                sum.addi(result);
            } else {
                decoded = Wire.reuse(decoded, DataType.FLOAT, length);
                sum.addi(decoded.assign(result));
            }
        }

        synchronized INDArray average() {
            if (next != partitions) {
                throw new IllegalStateException("round " + version + ": " + (partitions - next) + " of " + partitions
                        + " workers' results never arrived, though their tasks ended");
            }
            return sum.divi(partitions);
        }

        synchronized void release() {
            waiting.values().forEach(this::recycle);
            waiting.clear();
        }
    }
}
