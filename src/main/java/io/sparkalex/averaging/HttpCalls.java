package io.sparkalex.averaging;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The client side of the exchange's HTTP plumbing ({@link HttpEndpoint} is the server's): a
 * connection opened with its timeouts and the request's signature, a reply checked, and where a
 * request went said without the run's token (messages reach the Spark UI and event logs).
 */
final class HttpCalls {
    private static final int CONNECT_TIMEOUT_MS = 30_000;
    /** Longer than the driver keeps a request waiting for its round ({@link RoundRequests#ROUND_WAIT_MS}). */
    private static final int READ_TIMEOUT_MS = (int) RoundRequests.ROUND_WAIT_MS + 60_000;

    private HttpCalls() {
    }

    /**
     * A {@code method} request to {@code base + path} by task attempt {@code attempt}, signed with
     * {@code auth} where it asks for a signature; over TLS to a server whose certificate has the
     * SHA-256 {@code fingerprint} when {@code base} is {@code https}.
     */
    static HttpURLConnection open(ExchangeAuth auth, long attempt, String fingerprint, String method, String base,
                                  String path) throws IOException {
        URI uri = URI.create(base + path);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (c instanceof javax.net.ssl.HttpsURLConnection tls) {
            tls.setSSLSocketFactory(ExchangeTls.pinnedTo(fingerprint));
            tls.setHostnameVerifier((host, session) -> true);   // the pinned certificate is the check
        }
        c.setRequestMethod(method);
        String signature = auth.sign(method, uri.getRawPath(), attempt);
        if (signature != null) {
            c.setRequestProperty(ExchangeAuth.HEADER, signature);
        }
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        c.setUseCaches(false);
        return c;
    }

    /** How long the request waited on the server for its body ({@link HttpEndpoint#WAITED_HEADER}). */
    static long waited(HttpURLConnection c) {
        String w = c.getHeaderField(HttpEndpoint.WAITED_HEADER);
        return w == null ? 0 : Long.parseLong(w);
    }

    /** Where a request went, the run's {@code token} replaced. */
    static String shown(HttpURLConnection c, String token) {
        return c.getURL().getHost() + ":" + c.getURL().getPort() + c.getURL().getPath().replace(token, "<run>");
    }

    /** Throws unless the reply is a success: {@link ExchangeTransport.Halted} for a halted epoch. */
    static void check(HttpURLConnection c, String token) throws IOException {
        int code = c.getResponseCode();
        if (code / 100 != 2) {
            InputStream err = c.getErrorStream();
            String why = err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8);
            if (code == RoundRequests.HALTED) {
                throw new ExchangeTransport.Halted(why);
            }
            throw new IOException("parameter exchange " + shown(c, token) + " answered " + code + ": " + why);
        }
    }

    /** Sends {@code text} as the body of the PUT {@code c} and checks the reply. */
    static void putText(HttpURLConnection c, String text, String token) throws IOException {
        c.setDoOutput(true);
        try (java.io.OutputStream out = c.getOutputStream()) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        check(c, token);
    }

    /** The reply's body as trimmed text, once {@link #check}ed. */
    static String text(HttpURLConnection c, String token) throws IOException {
        check(c, token);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
