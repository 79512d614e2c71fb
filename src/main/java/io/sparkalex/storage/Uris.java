package io.sparkalex.storage;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Pattern;

/**
 * The job's one redaction rule, for every URI it shows or stores (logs, stack traces it prints,
 * the configuration dump, checkpoints, provenance, reports): no user info, so credentials written
 * into a URI ({@code s3a://KEY:SECRET@bucket/...}) never leave the process, and no value of a
 * query parameter that carries a secret ({@code ?sig=}, {@code X-Amz-Signature=}, ...).
 *
 * <p>Text rules rather than {@link java.net.URI} parsing, because a password or an AWS secret may
 * hold a '/' or an '@', which a URI parser takes for the start of the path or the host, leaving
 * the rest of the secret in place. A URI that starts with a host (and a port) and a '/' has no
 * user info, so an '@' in its path stays ({@code hdfs://nn:8020/a@b}); in one that has, everything
 * up to the last '@' followed by a host goes: only that host is sure not to be part of the
 * password, so a path with an '@' after user info is cut too (shown too little, never too much).
 */
public final class Uris {
    /** A URI's user info (group 1: the scheme, kept). Also in conf/log4j2.properties' layout. */
    public static final String USER_INFO_REGEX =
            "\\b([A-Za-z][A-Za-z0-9+.-]*://)(?!/|[A-Za-z0-9.-]+(?::\\d+)?(?:[/?#\\s\"',;)]|$))[^\\s\"']*@"
                    + "(?=[A-Za-z0-9.-]+(?::\\d+)?(?:[/?#\\s\"',;)]|$))";
    /**
     * A query parameter whose value is a secret (group 1: up to the '=', kept): SAS signatures, AWS
     * pre-signed URLs, tokens, passwords. Also in conf/log4j2.properties' layout.
     */
    public static final String SECRET_PARAMETER_REGEX =
            "(?i)([?&;](?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|token|access_token"
                    + "|password|passwd|pwd|secret|api_key|apikey|key)=)[^&#\\s\"']*";
    private static final Pattern USER_INFO = Pattern.compile(USER_INFO_REGEX);
    private static final Pattern SECRET_PARAMETER = Pattern.compile(SECRET_PARAMETER_REGEX);

    private Uris() {
    }

    /** A URI, or every URI in a text (an exception's message, a configuration), redacted; other text unchanged. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        return SECRET_PARAMETER.matcher(USER_INFO.matcher(text).replaceAll("$1")).replaceAll("$1***");
    }

    /** A throwable's stack trace, its causes' included, redacted: what the job prints instead of the raw one. */
    public static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return redact(out.toString());
    }
}
