package io.sparkalex.averaging;

import io.sparkalex.config.PortRange;
import io.sparkalex.eval.ScoreSums;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;

/**
 * The HTTP carrier of {@link ExchangeTransport}: a worker's requests to the driver's
 * {@link ParameterExchange} (and to a parent worker's {@link UpdateRelay}) over
 * {@link HttpURLConnection}, the arrays streamed from and into ND4J's memory ({@link Wire}).
 *
 * <p>Concurrency: immutable but for its signing key and task attempt, made on first use on the
 * task's thread (which names the attempt); each request opens its own connection.
 */
public final class ExchangeLink implements ExchangeTransport {
    private static final long serialVersionUID = 3L;

    /** The header that carries a result's training pass's sums ({@link ScoreSums#encode}). */
    static final String FIT_HEADER = "Sparkalex-Fit";

    private final String url;
    final Transfer transfer;
    /** Whether requests prove Spark's application secret (the key itself is this JVM's, never sent). */
    private final boolean authenticated;
    /** The SHA-256 of the exchange's certificate (null: plain HTTP); travels inside Spark's encrypted task. */
    private final String fingerprint;
    /** Where this worker's relay may listen. */
    private final PortRange relayPorts;
    private transient ExchangeAuth auth;
    /** The task attempt this link's requests come from (the task that deserialised it). */
    private transient long attempt;

    ExchangeLink(String url, Transfer transfer, boolean authenticated, String fingerprint, PortRange relayPorts) {
        this.url = url;
        this.transfer = transfer;
        this.authenticated = authenticated;
        this.fingerprint = fingerprint;
        this.relayPorts = relayPorts;
    }

    /** The same link, signing with {@code auth} as task attempt {@code attempt} (tests, without a SparkEnv). */
    ExchangeLink signingWith(ExchangeAuth auth, long attempt) {
        ExchangeLink link = new ExchangeLink(url, transfer, auth.required(), fingerprint, relayPorts);
        link.auth = auth;
        link.attempt = attempt;
        return link;
    }

    /** The same link, its worker's relay listening on the first free port of {@code ports}. */
    public ExchangeLink relayingOn(PortRange ports) {
        return new ExchangeLink(url, transfer, authenticated, fingerprint, ports);
    }

    /** How this JVM signs: with the secret of its SparkEnv when the exchange asks for one, as its task's attempt. */
    private ExchangeAuth auth() {
        if (auth == null) {
            org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
            attempt = task == null ? ExchangeAuth.NO_ATTEMPT : task.taskAttemptId();
            auth = authenticated ? ExchangeAuth.ofSpark(token()) : ExchangeAuth.TRUSTING;
        }
        return auth;
    }

    @Override
    public Transfer transfer() {
        return transfer;
    }

    /**
     * Fills the float32 array {@code into} with the driver's parameters of {@code version},
     * waiting until that version is current.
     */
    @Override
    public Fetched fetchParameters(long version, int partition, INDArray into) throws IOException {
        HttpURLConnection c = get(url, fingerprint, "/params/" + version + "/" + partition, into.length() * 4);
        long t0 = System.nanoTime();
        try (InputStream in = c.getInputStream()) {
            Wire.read(in, into);
        }
        return new Fetched(HttpCalls.waited(c), System.nanoTime() - t0, 0, false);
    }

    /**
     * Adds the bfloat16 change that made {@code version}, fetched from the driver or from a
     * worker's {@link UpdateRelay} ({@code relay}: its host:port; null: the driver), to
     * {@code base} (the parameters of the version before) and copies the result into {@code copy}
     * (the network's parameters), exactly as the driver adds it to its own.
     *
     * <p>With {@code received} (a relay passes the change on), the change is kept whole in
     * {@code wire} (the caller's bfloat16 buffer, reused from round to round), {@code received} is
     * told once it has arrived, and only then is it added: a failed request changes nothing, so
     * the worker can fetch it again from the driver. Without (null; only from the driver), it is
     * added chunk by chunk as it arrives ({@link ChangeMath#readAndAddChange}): a failed request
     * fails the task, which Spark reruns from the round's parameters.
     */
    @Override
    public Fetched addUpdate(String relay, long version, int partition, INDArray base, INDArray copy, INDArray wire,
                      ChangeMath math, Runnable received) throws IOException {
        if (received == null && relay != null) {
            throw new IllegalArgumentException("a change from a relay is kept whole until it has arrived");
        }
        String[] peer = relay == null ? null : relay.split(" ");   // host:port[ fingerprint]
        String source = relay == null ? url : (peer.length > 1 ? "https://" : "http://") + peer[0] + "/" + token();
        HttpURLConnection c = get(source, peer != null && peer.length > 1 ? peer[1] : fingerprint,
                "/update/" + version + "/" + partition, base.length() * 2);
        long t0 = System.nanoTime();
        long adding;
        if (received == null) {
            try (InputStream in = c.getInputStream()) {
                adding = math.readAndAddChange(in, wire, base, copy);
            }
        } else {
            try (InputStream in = c.getInputStream()) {
                Wire.read(in, wire);
            }
            received.run();   // e.g. this worker's relay passes the change on before it is applied here
            long t1 = System.nanoTime();
            math.addChange(wire, base, copy);   // bfloat16 to float32 is exact; the add is the driver's
            adding = System.nanoTime() - t1;
        }
        Nd4j.getExecutioner().commit();
        long total = System.nanoTime() - t0;
        return new Fetched(HttpCalls.waited(c), total - adding, adding, relay != null);
    }

    @Override
    public UpdateRelay startRelay(int partition, java.util.function.LongPredicate takesPart) throws IOException {
        UpdateRelay relay = UpdateRelay.start(token(), auth(), fingerprint != null, relayPorts, takesPart);
        try {
            registerRelay(partition, relay.port(), relay.fingerprint());
        } catch (IOException e) {
            relay.close();
            throw e;
        }
        return relay;
    }

    /** Tells the driver that partition {@code partition}'s relay listens on {@code port} (TLS: with that certificate). */
    void registerRelay(int partition, int port, String fingerprint) throws IOException {
        HttpCalls.putText(open("PUT", url, "/peer/" + partition), port + (fingerprint == null ? "" : " " + fingerprint),
                token());
    }

    /** Where partition {@code partition}'s update relay listens (host:port), or null if it has none. */
    @Override
    public String peer(int partition) throws IOException {
        HttpURLConnection c = open("GET", url, "/peer/" + partition);
        return c.getResponseCode() == 404 ? null : HttpCalls.text(c, token());
    }

    /** The exchange's URL (it holds the run's token: never in a message). */
    String url() {
        return url;
    }

    /** The run's random token, the first segment of every exchange and relay path. */
    String token() {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /**
     * Sends partition {@code partition}'s parameters (float32) of the round that started from
     * {@code version}, with its training pass's sums {@code fit}.
     */
    @Override
    public void sendParameters(long version, int partition, INDArray params, ScoreSums fit) throws IOException {
        send(version, partition, fit, params.length() * 4, out -> Wire.write(Wire.owning(params), out));
    }

    /**
     * Sends what partition {@code partition}'s round changed ({@code params - base}) in bfloat16,
     * encoded chunk by chunk into the request ({@link ChangeMath#writeChange}; ND4J's path encodes
     * into the caller's bfloat16 buffer {@code wire} first).
     */
    @Override
    public void sendChange(long version, int partition, INDArray params, INDArray base, INDArray wire, ChangeMath math,
                    ScoreSums fit) throws IOException {
        send(version, partition, fit, base.length() * 2, out -> math.writeChange(params, base, wire, out));
    }

    /** Sends a result already in the transfer's wire type (float32 parameters or a bfloat16 change). */
    void send(long version, int partition, INDArray result, ScoreSums fit) throws IOException {
        send(version, partition, fit, result.length() * result.dataType().width(), out -> Wire.write(result, out));
    }

    /**
     * Tells the driver that partition {@code partition}'s training diverged in the round that
     * started from {@code version}; the driver halts the epoch and every worker's next request
     * answers {@link Halted}.
     */
    @Override
    public void halt(long version, int partition, String reason) throws IOException {
        HttpCalls.putText(open("PUT", url, "/halt/" + version + "/" + partition), reason, token());
    }

    /** The version a retried task of {@code partition} continues from. */
    @Override
    public long next(int partition) throws IOException {
        return Long.parseLong(HttpCalls.text(open("GET", url, "/next/" + partition), token()));
    }

    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private void send(long version, int partition, ScoreSums fit, long bytes, Body body) throws IOException {
        HttpURLConnection c = open("PUT", url, "/result/" + version + "/" + partition);
        c.setRequestProperty(FIT_HEADER, fit.encode());
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(bytes);
        try (OutputStream out = c.getOutputStream()) {
            body.writeTo(out);
        }
        HttpCalls.check(c, token());
        c.disconnect();
    }

    private HttpURLConnection get(String base, String certificate, String path, long expected) throws IOException {
        HttpURLConnection c = HttpCalls.open(auth(), attempt, certificate, "GET", base, path);
        HttpCalls.check(c, token());
        if (c.getContentLengthLong() != expected) {
            throw new IOException(HttpCalls.shown(c, token()) + " sent " + c.getContentLengthLong() + " bytes, expected " + expected);
        }
        return c;
    }

    private HttpURLConnection open(String method, String base, String path) throws IOException {
        return HttpCalls.open(auth(), attempt, fingerprint, method, base, path);
    }
}
