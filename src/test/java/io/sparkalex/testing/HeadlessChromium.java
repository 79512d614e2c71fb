package io.sparkalex.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}, installed by {@code .ci/test}) run headless on a
 * local file, with every network request sent to a closed port: a page that renders here needs
 * nothing from the network. Flags as the machine notes give them (no background networking, a
 * fresh profile per call).
 */
public final class HeadlessChromium {
    public static final String BINARY = System.getProperty("sparkalex.chromium", "/usr/bin/chromium");

    private HeadlessChromium() {
    }

    /** The DOM after the page's load event, serialised. */
    public static String dumpDom(Path page) throws Exception {
        return run(page, List.of("--dump-dom"), null);
    }

    /** A PNG screenshot of the page at the given window size. */
    public static void screenshot(Path page, Path png, int width, int height) throws Exception {
        run(page, List.of("--screenshot=" + png, "--window-size=" + width + "," + height), png);
    }

    private static String run(Path page, List<String> mode, Path expected) throws Exception {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install chromium (as .ci/test does)");
        }
        Path profile = Files.createTempDirectory("sparkalex-chromium-");
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--proxy-server=127.0.0.1:9",
                "--host-resolver-rules=MAP * ~NOTFOUND"));
        cmd.addAll(mode);
        cmd.add(page.toUri().toString());
        Path stdout = Files.createTempFile("chromium-", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish in 120 s: " + cmd);
        }
        if (p.exitValue() != 0 || (expected != null && !Files.exists(expected))) {
            throw new IOException("chromium exited " + p.exitValue() + ": " + cmd);
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
