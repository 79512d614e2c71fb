package io.sparkalex.averaging;

import com.sun.net.httpserver.HttpExchange;
import io.sparkalex.config.PortRange;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.LongPredicate;

/**
 * A worker's copy of the latest average change (bf16 transfer), served to the workers below it
 * in the relay tree, so that the driver sends each round's change once instead of once per worker.
 *
 * <p>Why: the driver's link carries every worker's change up and the average change back down to
 * every worker; with 16 workers that is 2 x 16 x 117 MB a round for the full AlexNet, 3 s on
 * 10 GbE, a tenth of a round's compute at f=10 (bench/NOTES.md, "Scaling"). Workers form a binary
 * tree by partition: partition 0 fetches from the driver, partition {@code p} from partition
 * {@code (p - 1) / 2}, so the change reaches all W workers in log2(W) + 1 hops, and the driver
 * sends it once. A worker asks its parent only for a round both take part in; any failure
 * (parent lost, not yet up, refused) falls back to the driver, which serves the change too, and
 * the worker does not ask that parent again.
 *
 * <p>A worker passes the change on as soon as it has arrived, before applying it itself, so a hop
 * costs one transfer. Serving is safe without copying: a worker receives the next change only
 * after every worker of the round has sent its result, and each of them fetched this change
 * before training.
 *
 * <p>Concurrency: the relay's monitor guards the change it holds and its version; a request waits
 * on it until this worker holds the version asked for.
 */
final class UpdateRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpdateRelay.class);

    private final HttpEndpoint endpoint;
    private final ExchangeTls tls;
    private final LongPredicate takesPart;
    private final String path;
    private INDArray update;
    private long version = -1;
    private boolean closed;

    /**
     * Starts a relay on any free port, under the run's exchange token (so a stray request of
     * another run gets 404).
     *
     * @param takesPart whether this worker takes part in (so will hold) the given version
     */
    static UpdateRelay start(String token, LongPredicate takesPart) throws IOException {
        return start(token, ExchangeAuth.TRUSTING, false, PortRange.ANY, takesPart);
    }

    /**
     * The same, every request proving {@code auth}'s secret, over TLS with a certificate of its own
     * when {@code encrypt}, on the first free port of {@code ports} at this executor's address
     * (its block manager's host; the wildcard outside Spark).
     */
    static UpdateRelay start(String token, ExchangeAuth auth, boolean encrypt, PortRange ports, LongPredicate takesPart)
            throws IOException {
        return new UpdateRelay("/" + token + "/update/", auth, encrypt ? ExchangeTls.generate() : null, ports,
                takesPart);
    }

    private UpdateRelay(String path, ExchangeAuth auth, ExchangeTls tls, PortRange ports, LongPredicate takesPart)
            throws IOException {
        this.path = path;
        this.takesPart = takesPart;
        this.tls = tls;
        // A relay serves its (at most two) children, and a look-in or two: a few threads.
        this.endpoint = HttpEndpoint.startInRange("sparkalex-relay", executorAddress(), ports, 16, 4, path, auth, tls,
                (http, attempt) -> handle(http));
    }

    /** The address Spark's block manager advertises for this executor, or the wildcard outside Spark. */
    private static InetAddress executorAddress() throws IOException {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        if (env == null || env.blockManager() == null || env.blockManager().blockManagerId() == null) {
            return new InetSocketAddress(0).getAddress();
        }
        return InetAddress.getByName(env.blockManager().blockManagerId().host());
    }

    int port() {
        return endpoint.port();
    }

    /** The SHA-256 of this relay's certificate (null: plain HTTP). */
    String fingerprint() {
        return tls == null ? null : tls.fingerprint();
    }

    @Override
    public String toString() {
        return "relay on port " + port();
    }

    /** This worker now holds {@code update}, the change that made {@code version} (null: it does not). */
    synchronized void holds(long version, INDArray update) {
        this.version = version;
        this.update = update;
        notifyAll();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        if (endpoint.refused() > 0) {
            log.info("update relay: refused {} requests for want of the application's secret", endpoint.refused());
        }
        endpoint.close();
    }

    private void handle(HttpExchange http) throws IOException {
        try (http) {
            long v;
            try {
                v = Long.parseLong(http.getRequestURI().getPath().substring(path.length()).split("/")[0]);
            } catch (NumberFormatException e) {
                HttpEndpoint.reply(http, 400, "bad path");
                return;
            }
            long asked = System.nanoTime();
            INDArray body;
            synchronized (this) {
                Waiting.until(this, () -> version >= v || closed || !takesPart.test(v), RoundRequests.ROUND_WAIT_MS);
                body = version == v ? update : null;
            }
            if (body == null) {
                HttpEndpoint.reply(http, 409, "this worker does not hold version " + v + " (it holds " + version + ")");
                return;
            }
            HttpEndpoint.sendArray(http, body, System.nanoTime() - asked);
        } catch (IOException | RuntimeException e) {
            log.debug("relay request failed", e);   // the child falls back to the driver
        }
    }
}
