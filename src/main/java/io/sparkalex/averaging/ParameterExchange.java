package io.sparkalex.averaging;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sparkalex.eval.ScoreSums;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The driver's side of the averaging rounds of an epoch, over plain HTTP from the driver's JVM:
 * workers fetch the parameters (or the last round's change to them) and send their results here,
 * not through Spark's broadcast and task results, and the rounds follow each other without a
 * Spark job each: every worker runs the whole epoch in one task ({@link EpochWorker}) and waits
 * here for the next round's parameters.
 *
 * <p>Why not Spark: a broadcast of 233 MB is serialised on the driver, cut into blocks, fetched
 * block by block into each executor's block manager and deserialised; a task result of 233 MB is
 * serialised twice on the executor, stored as a block, fetched and deserialised on the driver's
 * heap; and every round's job, task launch and first minibatch load came on top. The round
 * breakdown (bench/README.md) put 80% of a round's fixed cost in the first two, most of the rest
 * in the last. Here the bytes go from one ND4J array's off-heap memory to a socket and from the
 * socket into another's ({@link Wire}), once each way.
 *
 * <p>An epoch is a fixed list of rounds, each with its number of participating partitions
 * ({@link #openEpoch}). Results are summed in partition order as they arrive (a result that
 * arrives early waits for the ones before it), so the sum, and the run, is the same whichever
 * worker finishes first. The last result of a round applies it and opens the next one, whose
 * version the waiting workers then get. A second result for a partition (a retried task) is
 * ignored: the first one is a complete, valid training of that partition's minibatches. Requests
 * name the round's version; a late request of an earlier round gets 409 and changes nothing.
 * Each result carries its worker's training-pass sums (header {@value #FIT_HEADER}: images fitted,
 * loss, hits), kept with the result they came with, so an epoch counts every minibatch whose
 * training entered the average exactly once, a retried task's included.
 *
 * <p>Divergence: a result holding a NaN or an infinity is refused before it enters the sum, and a
 * worker whose training loss stops being finite says so ({@code PUT halt}); either halts the
 * epoch: every waiting or later request of its workers gets {@value #HALTED} with the reason, and
 * {@link #finishEpoch} reports it, so the driver stops the run (divergence is deterministic: a retry
 * would diverge again).
 *
 * <p>Paths, under a random token per run: {@code GET /t/params/V/P} (float32 parameters of version
 * V, for partition P), {@code GET /t/update/V/P} (the bfloat16 change that made version V), both
 * waiting until version V is current; {@code PUT /t/result/V/P} (partition P's result of the round
 * that starts from version V); {@code GET /t/next/P} (the version a retried task of partition P
 * continues from); {@code PUT /t/halt/V/P} (partition P diverged in round V); {@code PUT /t/peer/P}, {@code GET /t/peer/P} (where partition P's
 * {@link UpdateRelay} listens).
 */
public final class ParameterExchange implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParameterExchange.class);
    /** How long a worker's request waits for its round's version before it is told to give up. */
    static final long ROUND_WAIT_MS = TimeUnit.MINUTES.toMillis(10);
    static final String WAITED_HEADER = "Sparkalex-Waited-Nanos";
    /** The training pass's sums of a result ({@link ScoreSums#encode}). */
    static final String FIT_HEADER = "Sparkalex-Fit";
    /** The answer to every request of a halted epoch (HTTP's "gone"). */
    static final int HALTED = 410;

    private final Transfer transfer;
    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;
    /** Held to read {@link #params} / {@link #update}; written when a round is applied. */
    private final ReadWriteLock state = new ReentrantReadWriteLock();
    /** Notified whenever {@link #version} moves or an epoch ends. */
    private final Object advanced = new Object();
    private volatile long version;
    /**
     * The version {@link #params} holds: behind {@link #version} while the driver adds a published
     * bf16 update to its own parameters (the workers fetch the update meanwhile).
     */
    private volatile long paramsVersion;
    private INDArray params;
    private INDArray update;
    private volatile Epoch epoch;
    /** The update relays of the open epoch's workers ({@link UpdateRelay}), by partition: host:port. */
    private final Map<Integer, String> peers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Reused from round to round: results as received, and their sum. */
    private final Deque<INDArray> free = new ArrayDeque<>();
    private INDArray sum;
    /** The bf16 arithmetic (null for float32); a result's add and the average's rounding in slices on the idle cores. */
    private final ChangeMath math;

    /** Told, on the thread that applied it, when a round of the epoch has been applied. */
    @FunctionalInterface
    public interface RoundApplied {
        /** {@code round} counts from 1 to {@code rounds} within the epoch. */
        void applied(int round, int rounds);
    }

    /**
     * What the driver saw of one round (nanoTime of the driver's JVM): when its version became
     * current ({@code startNanos}), when it was applied; which partition's result came last
     * ({@code lastPartition}, the round's critical path) and when that partition first asked for
     * the round's parameters ({@code lastAskedNanos}); the bytes sent and received.
     */
    public record RoundRecord(int round, long version, int partitions, long startNanos, long endNanos,
                              long applyNanos, int lastPartition, long lastAskedNanos, long sentBytes,
                              long receivedBytes, ScoreSums fit) {
    }

    /**
     * How an epoch ended: its rounds (all of them, or those applied before it halted), and why it
     * halted (null: it did not).
     */
    public record EpochRounds(List<RoundRecord> rounds, String halted) {
        /** The training pass's sums of every applied round, in round order. */
        public ScoreSums fit() {
            ScoreSums s = ScoreSums.EMPTY;
            for (RoundRecord r : rounds) {
                s = s.plus(r.fit());
            }
            return s;
        }
    }

    private ParameterExchange(Transfer transfer, HttpServer server, ExecutorService threads, String url) {
        this.transfer = transfer;
        this.server = server;
        this.threads = threads;
        this.url = url;
        this.math = transfer != Transfer.BF16 ? null
                : new ChangeMath(threads, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Starts the exchange on {@code bindHost:port} (port 0: any free one), reachable by the
     * executors as {@code advertisedHost} (the driver's host, as Spark tells executors).
     */
    public static ParameterExchange start(Transfer transfer, String bindHost, String advertisedHost, int port)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bindHost, port), 64);
        // Unbounded: every worker holds a request open while it waits for its round's parameters.
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
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
        log.info("parameter exchange ({}) listening on {}:{}{}", transfer.name().toLowerCase(java.util.Locale.ROOT),
                bindHost, server.getAddress().getPort(), transfer != Transfer.BF16 ? ""
                        : exchange.math.vectorised() ? "; bfloat16 arithmetic in Java's Vector API"
                        : "; bfloat16 arithmetic in ND4J (JVM without --add-modules=jdk.incubator.vector, or a GPU backend)");
        return exchange;
    }

    /** Where the workers reach this exchange. */
    public ExchangeLink link() {
        return new ExchangeLink(url, transfer);
    }

    /** The current version: rounds applied so far. */
    public long version() {
        return version;
    }

    /**
     * Opens an epoch of rounds on {@code parameters} (the driver network's, changed in place as
     * rounds are applied): round {@code k} (from 0) expects results from partitions 0 to
     * {@code participants[k] - 1}. Returns the version the epoch's first round starts from.
     */
    public long openEpoch(INDArray parameters, int[] participants, RoundApplied listener) {
        state.writeLock().lock();
        try {
            if (epoch != null) {
                throw new IllegalStateException("an epoch is already open");
            }
            if (params != parameters) {
                params = parameters;
                update = null;   // not a change of these parameters
            }
            paramsVersion = version;
            epoch = new Epoch(version, participants, listener);
            peers.clear();   // this epoch's tasks register their own
            return version;
        } finally {
            state.writeLock().unlock();
        }
    }

    /**
     * Waits until every round of the open epoch has been applied (the last one is applied right
     * after its last result's reply), closes the epoch and returns its rounds; a halted epoch
     * returns at once with the rounds applied before it halted and the reason. Call when the
     * epoch's tasks have all ended: a round still missing results then never gets them.
     */
    public EpochRounds finishEpoch(long timeoutMs) throws InterruptedException {
        Epoch e = epoch;
        if (e == null) {
            throw new IllegalStateException("no open epoch");
        }
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (advanced) {
            while (e.reported < e.rounds.length && epoch == e && e.halted == null
                    && System.currentTimeMillis() < deadline) {
                advanced.wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }
        state.writeLock().lock();
        try {
            if (epoch != e) {
                throw new IllegalStateException("the epoch was abandoned");
            }
            epoch = null;
            if (e.halted != null) {
                e.release();
                List<RoundRecord> applied = new ArrayList<>();
                for (int k = 0; k < e.opened; k++) {
                    applied.add(e.rounds[k].record());
                }
                return new EpochRounds(applied, e.halted);
            }
            if (!e.done()) {
                String missing = "round " + (e.opened + 1) + " of " + e.rounds.length + ": partitions "
                        + e.open().missing() + " never sent their results, though their tasks ended";
                e.release();
                throw new IllegalStateException(missing);
            }
            List<RoundRecord> records = new ArrayList<>();
            for (Round r : e.rounds) {
                records.add(r.record());
            }
            return new EpochRounds(records, null);
        } finally {
            state.writeLock().unlock();
        }
    }

    /**
     * Halts the open epoch, once: training diverged ({@code reason} says where). Waiting workers and
     * every later request get {@value #HALTED}; results not yet summed are dropped.
     */
    void halt(String reason) {
        state.writeLock().lock();
        try {
            Epoch e = epoch;
            if (e == null || e.halted != null) {
                return;
            }
            e.halted = reason;
            e.release();
            log.warn("halting the epoch: {}", reason);
        } finally {
            state.writeLock().unlock();
        }
        synchronized (advanced) {
            advanced.notifyAll();
        }
    }

    /** Forgets an unfinished epoch (its job failed): workers waiting on it are told, later results refused. */
    public void abandonEpoch() {
        state.writeLock().lock();
        try {
            if (epoch != null) {
                epoch.release();
                epoch = null;
            }
        } finally {
            state.writeLock().unlock();
        }
        synchronized (advanced) {
            advanced.notifyAll();
        }
    }

    @Override
    public void close() {
        abandonEpoch();
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange http) throws IOException {
        try (http) {
            String[] p = http.getRequestURI().getPath().split("/");   // "", token, what, version[, partition]
            try {
                String what = p.length > 2 ? p[2] : "";
                switch (http.getRequestMethod() + " " + what) {
                    case "GET params" -> serve(http, Long.parseLong(p[3]), partition(p, 4), false);
                    case "GET update" -> serve(http, Long.parseLong(p[3]), partition(p, 4), true);
                    case "PUT result" -> accept(http, Long.parseLong(p[3]), partition(p, 4));
                    case "GET next" -> next(http, partition(p, 3));
                    case "PUT halt" -> halted(http, Long.parseLong(p[3]), partition(p, 4));
                    case "PUT peer" -> register(http, partition(p, 3));
                    case "GET peer" -> {
                        String peer = peers.get(partition(p, 3));
                        reply(http, peer == null ? 404 : 200, peer == null ? "no relay registered" : peer);
                    }
                    default -> reply(http, 404, "no such resource");
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                reply(http, 400, "bad path " + http.getRequestURI().getPath());
            } catch (RuntimeException e) {
                log.warn("parameter exchange: {} {} failed", http.getRequestMethod(), http.getRequestURI(), e);
                reply(http, 500, e.toString());
            }
        }
    }

    /** A worker's report that its training diverged: the epoch halts. */
    private void halted(HttpExchange http, long v, int partition) throws IOException {
        String why;
        try (InputStream in = http.getRequestBody()) {
            why = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
        }
        Epoch e = epoch;
        Round r = e == null ? null : e.at(v);
        if (r == null || partition < 0 || partition >= r.partitions) {
            reply(http, 409, "no round " + v + " with partition " + partition);
            return;
        }
        halt("round " + (r.index + 1) + " of " + e.rounds.length + ", partition " + partition + ": " + why);
        reply(http, HALTED, e.halted);
    }

    /** Answers {@value #HALTED} when {@code e} halted; true if it did. */
    private static boolean haltedReply(HttpExchange http, Epoch e) throws IOException {
        String why = e == null ? null : e.halted;
        if (why != null) {
            reply(http, HALTED, why);
        }
        return why != null;
    }

    /** A worker's update relay: its port, at the address its request came from. */
    private void register(HttpExchange http, int partition) throws IOException {
        int port;
        try (InputStream in = http.getRequestBody()) {
            port = Integer.parseInt(new String(in.readNBytes(16), StandardCharsets.UTF_8).trim());
        }
        String host = http.getRemoteAddress().getAddress().getHostAddress();
        peers.put(partition, (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        reply(http, 204, null);
    }

    private static int partition(String[] path, int at) {
        return path.length > at ? Integer.parseInt(path[at]) : -1;
    }

    /** Waits until version {@code v} is current (or the wait is pointless), then sends it. */
    private void serve(HttpExchange http, long v, int partition, boolean change) throws IOException {
        long asked = System.nanoTime();
        Epoch e = epoch;
        if (e != null) {
            e.asked(v, partition, asked);
        }
        long deadline = System.currentTimeMillis() + ROUND_WAIT_MS;
        synchronized (advanced) {
            while ((change ? version : paramsVersion) < v && epoch == e && e != null && e.halted == null
                    && System.currentTimeMillis() < deadline) {
                try {
                    advanced.wait(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        long waited = System.nanoTime() - asked;
        if (haltedReply(http, e)) {
            return;
        }
        state.readLock().lock();
        try {
            INDArray body = change ? update : params == null ? null : Wire.owning(params);
            if (v != version || body == null) {
                reply(http, 409, "version " + v + (change ? " has no update" : " is not current") + " (current "
                        + version + (e != null && epoch != e ? "; the epoch was abandoned" : "")
                        + (e != null && epoch == e && version < v ? "; waited " + ROUND_WAIT_MS / 1000
                        + " s for partitions " + e.open().missing() + " of the round: fewer task slots than workers?"
                        : "") + ")");
                return;
            }
            long bytes = sendArray(http, body, waited);
            if (e != null) {
                e.sent(v, bytes);
            }
        } finally {
            state.readLock().unlock();
        }
    }

    /** The version a new task of {@code partition} continues from: the open round's, unless it sent that one. */
    private void next(HttpExchange http, int partition) throws IOException {
        long next;
        state.readLock().lock();
        try {
            Epoch e = epoch;
            if (haltedReply(http, e)) {
                return;
            }
            Round r = e == null ? null : e.open();
            next = r != null && r.has(partition) ? version + 1 : version;
        } finally {
            state.readLock().unlock();
        }
        reply(http, 200, Long.toString(next));
    }

    private void accept(HttpExchange http, long v, int partition) throws IOException {
        Epoch e = epoch;
        if (haltedReply(http, e)) {
            return;
        }
        Round r = e == null ? null : e.open();
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
        ScoreSums fit;
        try {
            fit = ScoreSums.parse(String.valueOf(http.getRequestHeaders().getFirst(FIT_HEADER)));
        } catch (IllegalArgumentException bad) {
            reply(http, 400, "a result names its training pass's sums in " + FIT_HEADER + ": " + bad.getMessage());
            return;
        }
        INDArray body = buffer(r.length);
        try (InputStream in = http.getRequestBody()) {
            Wire.read(in, body);
        } catch (IOException ex) {
            recycle(body);
            throw ex;
        }
        r.receivedBytes.addAndGet(expected);
        if (!ChangeMath.finite(body)) {
            recycle(body);
            halt("round " + (r.index + 1) + " of " + e.rounds.length + ", partition " + partition
                    + ": its result holds NaN or infinite values (refused)");
            if (!haltedReply(http, e)) {
                reply(http, 409, "the epoch ended");
            }
            return;
        }
        // Added only while its round is still the open one: a late task's result must not land in
        // the next round's sum (the sum's buffer is reused).
        boolean complete;
        state.readLock().lock();
        try {
            if (epoch != e || e.open() != r) {
                recycle(body);
                reply(http, 409, "round " + v + " was applied before this result arrived");
                return;
            }
            complete = r.offer(partition, body, fit);
        } finally {
            state.readLock().unlock();
        }
        reply(http, 204, null);
        if (complete) {
            apply(e, r);
        }
    }

    /**
     * Applies the round: the average of the workers' parameters (float32), or the average of their
     * changes, rounded to bfloat16 (bf16; the next version's update); then opens the epoch's next
     * round and wakes the workers waiting for it. In bf16 the driver adds the update to its own
     * parameters after that, while the workers fetch it: off the round's critical path.
     */
    private void apply(Epoch e, Round r) {
        int rounds;
        state.writeLock().lock();
        try {
            if (epoch != e) {
                return;   // abandoned meanwhile
            }
            long t0 = System.nanoTime();
            if (transfer == Transfer.FLOAT32) {
                params.assign(sum.divi(r.partitions));
                update = null;
            } else {
                update = Wire.reuse(update, DataType.BFLOAT16, params.length());
                math.roundAverage(sum, r.partitions, update);
            }
            version++;
            if (transfer == Transfer.FLOAT32) {
                paramsVersion = version;
            }
            long t1 = System.nanoTime();
            r.applyNanos = t1 - t0;
            r.endNanos = t1;
            e.opened++;
            if (!e.done()) {
                e.open().startNanos = t1;
            }
            rounds = e.rounds.length;
            // Downgraded, not released: the next round's apply, finishEpoch and abandonEpoch (write
            // lock) wait until the driver's own parameters have the update; requests (read) do not.
            state.readLock().lock();
        } finally {
            state.writeLock().unlock();
        }
        try {
            synchronized (advanced) {
                advanced.notifyAll();
            }
            if (transfer == Transfer.BF16) {
                // Exactly as the workers add it (ChangeMath.addChange); GET params waits for it.
                math.addToOwn(update, params);
                paramsVersion = version;
                synchronized (advanced) {
                    advanced.notifyAll();
                }
            }
        } finally {
            state.readLock().unlock();
        }
        if (e.listener != null) {
            e.listener.applied(r.index + 1, rounds);
        }
        synchronized (advanced) {
            e.reported++;   // the epoch is finished once its last round is applied and told
            advanced.notifyAll();
        }
    }

    private INDArray buffer(long length) {
        INDArray b;
        synchronized (free) {
            b = free.poll();
        }
        return Wire.reuse(b, transfer.wireType, length);
    }

    private void recycle(INDArray b) {
        synchronized (free) {
            free.push(b);
        }
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

    /** An epoch's rounds, applied one after the other. */
    private final class Epoch {
        final long startVersion;
        final Round[] rounds;
        final RoundApplied listener;
        /** Rounds applied so far; the open round is {@code rounds[opened]}. */
        volatile int opened;
        /** Why the epoch halted (training diverged), or null; set once, under the write lock. */
        volatile String halted;
        /** Rounds applied and told to the listener (guarded by {@code advanced}). */
        int reported;

        Epoch(long startVersion, int[] participants, RoundApplied listener) {
            this.startVersion = startVersion;
            this.listener = listener;
            this.rounds = new Round[participants.length];
            for (int k = 0; k < participants.length; k++) {
                rounds[k] = new Round(k, startVersion + k, participants[k], params.length());
            }
            if (rounds.length > 0) {
                rounds[0].startNanos = System.nanoTime();
            }
        }

        boolean done() {
            return opened >= rounds.length;
        }

        Round open() {
            return done() ? null : rounds[opened];
        }

        Round at(long v) {
            long k = v - startVersion;
            return k >= 0 && k < rounds.length ? rounds[(int) k] : null;
        }

        void asked(long v, int partition, long nanos) {
            Round r = at(v);
            if (r != null) {
                r.asked(partition, nanos);
            }
        }

        void sent(long v, long bytes) {
            Round r = at(v);
            if (r != null) {
                r.sentBytes.addAndGet(bytes);
            }
        }

        void release() {
            for (Round r : rounds) {
                r.release();
            }
        }
    }

    /** One round's results, summed in partition order. */
    private final class Round {
        final int index;
        final long version;
        final int partitions;
        final long length;
        final Map<Integer, INDArray> waiting = new HashMap<>();
        /** The training pass's sums of each partition's accepted result. */
        final ScoreSums[] fits;
        final long[] firstAsked;
        final AtomicLong sentBytes = new AtomicLong();
        final AtomicLong receivedBytes = new AtomicLong();
        int next;
        int lastPartition = -1;
        volatile long startNanos;
        volatile long endNanos;
        volatile long applyNanos;

        Round(int index, long version, int partitions, long length) {
            this.index = index;
            this.version = version;
            this.partitions = partitions;
            this.length = length;
            this.firstAsked = new long[partitions];
            this.fits = new ScoreSums[partitions];
        }

        synchronized void asked(int partition, long nanos) {
            if (partition >= 0 && partition < partitions && firstAsked[partition] == 0) {
                firstAsked[partition] = nanos;
            }
        }

        synchronized boolean has(int partition) {
            return partition < next || waiting.containsKey(partition);
        }

        /** Adds what can be added in partition order; true when this result completed the round. */
        synchronized boolean offer(int partition, INDArray result, ScoreSums fit) {
            if (has(partition) || next == partitions) {
                recycle(result);   // a retried task's second result
                return false;
            }
            waiting.put(partition, result);
            fits[partition] = fit;
            lastPartition = partition;
            for (INDArray r = waiting.remove(next); r != null; r = waiting.remove(next)) {
                add(r);
                recycle(r);
                next++;
            }
            return next == partitions;
        }

        private void add(INDArray result) {
            sum = Wire.reuse(sum, DataType.FLOAT, length);
            if (transfer == Transfer.BF16) {
                math.addResult(sum, result, next == 0);
            } else if (next == 0) {
                sum.assign(result);
            } else {
                sum.addi(result);
            }
        }

        synchronized List<Integer> missing() {
            List<Integer> m = new ArrayList<>();
            for (int p = next; p < partitions; p++) {
                if (!waiting.containsKey(p)) {
                    m.add(p);
                }
            }
            return m;
        }

        synchronized RoundRecord record() {
            long asked = lastPartition >= 0 ? firstAsked[lastPartition] : 0;
            ScoreSums fit = ScoreSums.EMPTY;
            for (ScoreSums f : fits) {
                fit = f == null ? fit : fit.plus(f);   // partition order: the same bits in every run
            }
            return new RoundRecord(index + 1, version, partitions, startNanos, endNanos, applyNanos, lastPartition,
                    asked, sentBytes.get(), receivedBytes.get(), fit);
        }

        synchronized void release() {
            waiting.values().forEach(ParameterExchange.this::recycle);
            waiting.clear();
        }
    }
}
