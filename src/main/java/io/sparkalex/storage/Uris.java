package io.sparkalex.storage;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * URIs as the job shows and stores them: without user info, so that credentials written into a
 * URI ({@code s3a://KEY:SECRET@bucket/...}) never reach a log, a checkpoint or a report.
 */
public final class Uris {
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@");

    private Uris() {
    }

    /** {@code uri} without its user info; anything that is not such a URI comes back unchanged. */
    public static String redact(String uri) {
        if (uri == null) {
            return null;
        }
        try {
            URI u = new URI(uri);
            if (u.getRawUserInfo() != null) {
                return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(),
                        u.getFragment()).toString();
            }
            return uri;
        } catch (Exception e) {
            return USER_INFO.matcher(uri).replaceFirst("$1");   // not a parseable URI: cut up to the '@'
        }
    }
}
