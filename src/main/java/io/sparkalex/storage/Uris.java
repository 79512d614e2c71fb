package io.sparkalex.storage;

import java.util.regex.Pattern;

/**
 * URIs as the job shows and stores them: without user info, so that credentials written into a
 * URI ({@code s3a://KEY:SECRET@bucket/...}) never reach a log, a checkpoint or a report. Text
 * rules rather than {@link java.net.URI} parsing, because an AWS secret may hold a '/', which a
 * URI parser takes for the start of the path, leaving the secret in place.
 */
public final class Uris {
    /** {@code scheme://user:anything-but-'@'-or-blanks@} or {@code scheme://user@}. */
    private static final Pattern USER_INFO = Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]*://)(?:[^@\\s:/]+:[^@\\s]*|[^@\\s:/]+)@");

    private Uris() {
    }

    /** A URI, or every URI in a message (an exception's, say), without its user info; other text unchanged. */
    public static String redact(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1");
    }
}
