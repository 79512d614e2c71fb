package io.sparkalex.averaging;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The exchange's HTTP routes: each path under the run's token mapped to {@link RoundRequests} (or
 * the {@link PeerDirectory}), its answer sent, then what the answer says to do after (a completed
 * round's apply). The paths are listed on {@link ParameterExchange}.
 *
 * <p>Concurrency: stateless; runs on the endpoint's threads, any number at once.
 */
final class ExchangeRoutes implements HttpEndpoint.Handler {
    private static final Logger log = LoggerFactory.getLogger(ExchangeRoutes.class);

    private final RoundRequests requests;
    private final PeerDirectory peers;
    private final TaskAttempts attempts;

    /** {@code attempts}: the running task attempts an upload must come from (null: any sender). */
    ExchangeRoutes(RoundRequests requests, PeerDirectory peers, TaskAttempts attempts) {
        this.requests = requests;
        this.peers = peers;
        this.attempts = attempts;
    }

    @Override
    public void handle(HttpExchange http, long attempt) throws IOException {
        try (http) {
            String[] p = http.getRequestURI().getPath().split("/");   // "", token, what, version[, partition]
            try {
                String what = p.length > 2 ? p[2] : "";
                RoundRequests.Answer answer = notItsAttempt(http, attempt, what, p);
                answer = answer != null ? answer : switch (http.getRequestMethod() + " " + what) {
                    case "GET params" -> requests.serve(Long.parseLong(p[3]), partition(p, 4), false,
                            (body, waited) -> HttpEndpoint.sendArray(http, body, waited));
                    case "GET update" -> requests.serve(Long.parseLong(p[3]), partition(p, 4), true,
                            (body, waited) -> HttpEndpoint.sendArray(http, body, waited));
                    case "PUT result" -> accept(http, Long.parseLong(p[3]), partition(p, 4));
                    case "GET next" -> requests.next(partition(p, 3));
                    case "PUT halt" -> requests.halted(Long.parseLong(p[3]), partition(p, 4), text(http, 4096));
                    case "PUT peer" -> {
                        String[] relay = text(http, 128).split(" ");   // port[ fingerprint]
                        peers.register(partition(p, 3), http.getRemoteAddress().getAddress(),
                                Integer.parseInt(relay[0]), relay.length > 1 ? relay[1] : null);
                        yield new RoundRequests.Answer(204, null);
                    }
                    case "GET peer" -> {
                        String peer = peers.lookup(partition(p, 3));
                        yield new RoundRequests.Answer(peer == null ? 404 : 200,
                                peer == null ? "no relay registered" : peer);
                    }
                    default -> new RoundRequests.Answer(404, "no such resource");
                };
                if (answer != null) {
                    HttpEndpoint.reply(http, answer.status(), answer.text());
                    if (answer.then() != null) {
                        answer.then().run();
                    }
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                HttpEndpoint.reply(http, 400, "bad path " + afterToken(p));
            } catch (RuntimeException e) {
                log.warn("parameter exchange: {} {} failed", http.getRequestMethod(), afterToken(p), e);
                HttpEndpoint.reply(http, 500, e.toString());
            }
        }
    }

    /**
     * 403 for an upload (result, divergence, relay address) whose partition is not run by the task
     * attempt the request proved; null when it may go on.
     */
    private RoundRequests.Answer notItsAttempt(HttpExchange http, long attempt, String what, String[] p) {
        if (attempts == null || !http.getRequestMethod().equals("PUT")) {
            return null;
        }
        int partition = partition(p, what.equals("peer") ? 3 : 4);
        return attempts.runs(partition, attempt) ? null : new RoundRequests.Answer(403, "partition " + partition
                + " is not run by task attempt " + attempt);
    }

    /** A result: its length and training pass's sums from the headers, its bytes read into the ledger's buffer. */
    private RoundRequests.Answer accept(HttpExchange http, long v, int partition) throws IOException {
        String length = http.getRequestHeaders().getFirst("Content-Length");
        return requests.accept(v, partition, length == null ? null : Long.parseLong(length),
                http.getRequestHeaders().getFirst(ExchangeLink.FIT_HEADER), buffer -> {
            try (InputStream in = http.getRequestBody()) {
                Wire.read(in, buffer);
            }
        });
    }

    /** The request's body as text, at most {@code max} bytes. */
    private static String text(HttpExchange http, int max) throws IOException {
        try (InputStream in = http.getRequestBody()) {
            return new String(in.readNBytes(max), StandardCharsets.UTF_8).trim();
        }
    }

    private static int partition(String[] path, int at) {
        return path.length > at ? Integer.parseInt(path[at]) : -1;
    }

    /** The path without the run's token, for messages. */
    private static String afterToken(String[] path) {
        return String.join("/", java.util.Arrays.copyOfRange(path, Math.min(2, path.length), path.length));
    }
}
