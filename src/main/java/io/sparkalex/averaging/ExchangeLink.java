package io.sparkalex.averaging;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * A worker's way to the driver's {@link ParameterExchange}: serialisable, it travels inside the
 * round's worker. A refused or failed request fails the task, which Spark retries.
 */
public final class ExchangeLink implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int CONNECT_TIMEOUT_MS = 30_000;
    /** A round's transfer waits at most this long for bytes: the driver may be busy summing. */
    private static final int READ_TIMEOUT_MS = 600_000;

    private final String url;
    final Transfer transfer;

    ExchangeLink(String url, Transfer transfer) {
        this.url = url;
        this.transfer = transfer;
    }

    /** Fills the float32 array {@code into} with the driver's parameters of {@code version}. */
    void fetchParameters(long version, INDArray into) throws IOException {
        fetch("/params/" + version, into);
    }

    /** Fills the bfloat16 array {@code into} with the change that made {@code version}. */
    void fetchUpdate(long version, INDArray into) throws IOException {
        fetch("/update/" + version, into);
    }

    /** Sends partition {@code partition}'s result of the round that started from {@code version}. */
    void send(long version, int partition, INDArray result) throws IOException {
        HttpURLConnection c = open("/result/" + version + "/" + partition);
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(result.length() * result.dataType().width());
        try (OutputStream out = c.getOutputStream()) {
            Wire.write(result, out);
        }
        check(c);
        c.disconnect();
    }

    private void fetch(String path, INDArray into) throws IOException {
        HttpURLConnection c = open(path);
        check(c);
        long expected = into.length() * into.dataType().width();
        if (c.getContentLengthLong() != expected) {
            throw new IOException(url + path + " sent " + c.getContentLengthLong() + " bytes, expected " + expected);
        }
        try (InputStream in = c.getInputStream()) {
            Wire.read(in, into);
        }
    }

    private HttpURLConnection open(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url + path).toURL().openConnection();
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        c.setUseCaches(false);
        return c;
    }

    private void check(HttpURLConnection c) throws IOException {
        int code = c.getResponseCode();
        if (code / 100 != 2) {
            InputStream err = c.getErrorStream();
            String why = err == null ? "" : new String(err.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            throw new IOException("parameter exchange " + c.getURL() + " answered " + code + ": " + why);
        }
    }
}
