package io.sparkalex.averaging;

import io.sparkalex.eval.ScoreSums;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.UUID;

/**
 * The driver's side of the averaging rounds of an epoch, over HTTP from the driver's JVM (TLS,
 * authentication and task-attempt checks as {@link ExchangeProtection} says):
 * workers fetch the parameters (or the last round's change to them) and send their results here,
 * not through Spark's broadcast and task results, and the rounds follow each other without a
 * Spark job each: every worker runs the whole epoch in one task ({@link EpochWorker}) and waits
 * here for the next round's parameters.
 *
 * <p>Why not Spark: a broadcast of 233 MB is serialised on the driver, cut into blocks, fetched
 * block by block into each executor's block manager and deserialised; a task result of 233 MB is
 * serialised twice on the executor, stored as a block, fetched and deserialised on the driver's
 * heap; and every round's job, task launch and first minibatch load came on top. The round
 * breakdown (bench/NOTES.md) put 80% of a round's fixed cost in the first two, most of the rest
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
 * Each result carries its worker's training-pass sums (header {@value ExchangeLink#FIT_HEADER}: images fitted,
 * loss, hits), kept with the result they came with, so an epoch counts every minibatch whose
 * training entered the average exactly once, a retried task's included.
 *
 * <p>Divergence: a result holding a NaN or an infinity is refused before it enters the sum, and a
 * worker whose training loss stops being finite says so ({@code PUT halt}); either halts the
 * epoch: every waiting or later request of its workers gets {@value #HALTED} with the reason, and
 * {@link #finishEpoch} reports it, so the driver stops the run (divergence is deterministic: a retry
 * would diverge again).
 *
 * <p>In parts: the HTTP carrier is this class (routing a request to {@link RoundRequests}, the
 * server plumbing in {@link HttpEndpoint}, shared with the relay); {@link RoundLedger} keeps the
 * versions and the open epoch ({@link ExchangeEpoch}: which partitions reported, retries);
 * {@link RoundAverager} does the arithmetic; {@link PeerDirectory} knows the relays. The worker's
 * side is {@link ExchangeLink} behind {@link ExchangeTransport}.
 *
 * <p>Concurrency: requests run on the endpoint's threads, any number at once (each worker holds
 * one open while it waits for its round); this class keeps no state of its own but the peer
 * directory, and the driver's calls ({@link #openEpoch}, {@link #finishEpoch},
 * {@link #abandonEpoch}) go to the ledger, whose locks say who waits for whom.
 *
 * <p>Paths, under a random token per run: {@code GET /t/params/V/P} (float32 parameters of version
 * V, for partition P), {@code GET /t/update/V/P} (the bfloat16 change that made version V), both
 * waiting until version V is current; {@code PUT /t/result/V/P} (partition P's result of the round
 * that starts from version V); {@code GET /t/next/P} (the version a retried task of partition P
 * continues from); {@code PUT /t/halt/V/P} (partition P diverged in round V); {@code PUT /t/peer/P}, {@code GET /t/peer/P} (where partition P's
 * {@link UpdateRelay} listens, and its certificate under TLS).
 */
public final class ParameterExchange implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParameterExchange.class);

    private final HttpEndpoint endpoint;
    private final String url;
    private final Transfer transfer;
    private final RoundLedger ledger;
    private final RoundRequests requests;
    private final PeerDirectory peers = new PeerDirectory();
    /** The HTTP routes; made after the endpoint, whose threads the arithmetic shares. */
    private volatile ExchangeRoutes routes;
    private final RoundAverager averager;
    private final ExchangeAuth auth;
    /** This run's TLS identity (null: plain HTTP). */
    private final ExchangeTls tls;
    /** The running task attempts uploads must come from (null: not checked). */
    private final TaskAttempts attempts;
    /** Threads for requests and arithmetic before an epoch says how many workers hold requests open. */
    private static final int MIN_THREADS = 32;

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

    private ParameterExchange(Transfer transfer, String bindHost, String advertisedHost, int port,
                              ExchangeProtection protection) throws IOException {
        String token = UUID.randomUUID().toString();
        this.transfer = transfer;
        this.auth = protection.auth(token);
        this.tls = protection.encrypt() ? ExchangeTls.generate() : null;
        // Backlog 64; the threads grow with the workers (each holds a request open while it waits
        // for its round's parameters): see openEpoch.
        this.endpoint = HttpEndpoint.start("sparkalex-exchange", new InetSocketAddress(bindHost, port), 64,
                MIN_THREADS, "/" + token + "/", this.auth, tls, (http, attempt) -> routes.handle(http, attempt));   // no request before the URL is out
        this.url = (tls == null ? "http://" : "https://") + advertisedHost + ":" + endpoint.port() + "/" + token;
        this.averager = new RoundAverager(transfer, endpoint.threads());
        this.ledger = new RoundLedger(transfer, averager);
        this.requests = new RoundRequests(ledger, transfer, averager);
        this.attempts = protection.attempts();
        this.routes = new ExchangeRoutes(requests, peers, attempts);
    }

    /**
     * Starts the exchange on {@code bindHost:port} (port 0: any free one), reachable by the
     * executors as {@code advertisedHost} (the driver's host, as Spark tells executors).
     */
    public static ParameterExchange start(Transfer transfer, String bindHost, String advertisedHost, int port)
            throws IOException {
        return start(transfer, bindHost, advertisedHost, port, ExchangeProtection.NONE);
    }

    /**
     * The same, protected as {@code protection} says ({@link ExchangeProtection#ofSpark} on a cluster).
     */
    static ParameterExchange start(Transfer transfer, String bindHost, String advertisedHost, int port,
                                   ExchangeProtection protection) throws IOException {
        ParameterExchange exchange = new ParameterExchange(transfer, bindHost, advertisedHost, port, protection);
        log.info("parameter exchange ({}) listening on {}:{}{}; {}", transfer.name().toLowerCase(java.util.Locale.ROOT),
                bindHost, exchange.endpoint.port(), transfer != Transfer.BF16 ? ""
                        : exchange.averager.vectorised() ? "; bfloat16 arithmetic in Java's Vector API"
                        : "; bfloat16 arithmetic in ND4J (JVM without --add-modules=jdk.incubator.vector, or a GPU backend)",
                ExchangeProtection.describe(exchange.auth.required(), exchange.tls != null));
        return exchange;
    }

    /** Where the workers reach this exchange (their relays on any free port). */
    public ExchangeLink link() {
        return new ExchangeLink(url, transfer, auth.required(), tls == null ? null : tls.fingerprint(),
                io.sparkalex.config.PortRange.ANY);
    }

    /** The port the exchange listens on. */
    int port() {
        return endpoint.port();
    }

    /** The current version: rounds applied so far. */
    public long version() {
        return ledger.version();
    }

    /**
     * Opens an epoch of rounds on {@code parameters} (the driver network's, changed in place as
     * rounds are applied): round {@code k} (from 0) expects results from partitions 0 to
     * {@code participants[k] - 1}. Returns the version the epoch's first round starts from.
     */
    public long openEpoch(INDArray parameters, int[] participants, RoundApplied listener) {
        int workers = java.util.Arrays.stream(participants).max().orElse(0);
        endpoint.threadsAtLeast(MIN_THREADS + 4 * workers);   // a waiting request, a relay look-up, an upload each
        long v = ledger.openEpoch(parameters, participants, listener);
        peers.clear();   // this epoch's tasks register their own
        return v;
    }

    /**
     * Waits until every round of the open epoch has been applied (the last one is applied right
     * after its last result's reply), closes the epoch and returns its rounds; a halted epoch
     * returns at once with the rounds applied before it halted and the reason. Call when the
     * epoch's tasks have all ended: a round still missing results then never gets them.
     */
    public EpochRounds finishEpoch(long timeoutMs) throws InterruptedException {
        EpochRounds rounds = ledger.finishEpoch(timeoutMs);
        if (auth.required()) {
            log.info("parameter exchange: {} requests refused so far for want of the application's secret; {}",
                    endpoint.refused(), attempts == null ? "uploads not tied to task attempts"
                            : attempts.refused() + " uploads refused as not from the task attempt running their "
                            + "partition; uploads accepted from task attempts " + new java.util.TreeSet<>(attempts.accepted()));
        }
        return rounds;
    }

    /** Requests refused so far for want of the application's secret. */
    long refused() {
        return endpoint.refused();
    }

    /**
     * Waits until the driver's own parameters hold {@code version} (bf16: the driver adds each
     * published change to them while the workers fetch it) or the epoch ended.
     */
    void awaitOwnParameters(long version, long timeoutMs) {
        ledger.awaitVersion(version, false, ledger.epoch(), timeoutMs);
    }

    /** Forgets an unfinished epoch (its job failed): workers waiting on it are told, later results refused. */
    public void abandonEpoch() {
        ledger.abandonEpoch();
    }

    @Override
    public void close() {
        abandonEpoch();
        endpoint.close();
    }
}
