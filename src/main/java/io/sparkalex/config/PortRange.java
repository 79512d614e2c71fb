package io.sparkalex.config;

import java.io.Serializable;

/**
 * The ports a server may listen on, like {@code spark.blockManager.port} with its retries: the
 * first free one of {@code first..last}; {@link #ANY} (written {@code 0}) lets the system choose, which
 * a firewall cannot confine.
 */
public record PortRange(int first, int last) implements Serializable {
    /** Any free port. */
    public static final PortRange ANY = new PortRange(0, 0);

    public PortRange {
        if (first < 0 || last > 65535 || last < first || (first == 0 && last != 0)) {
            throw new IllegalArgumentException("a port range is 0 (any free port), a port, or first-last within "
                    + "1-65535 (got " + first + "-" + last + ")");
        }
    }

    /** {@code 0}, {@code 40200} or {@code 40200-40263}. */
    public static PortRange parse(String text) {
        String t = text.trim();
        int dash = t.indexOf('-');
        try {
            return dash < 0 ? new PortRange(Integer.parseInt(t), Integer.parseInt(t))
                    : new PortRange(Integer.parseInt(t.substring(0, dash).trim()),
                    Integer.parseInt(t.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port range: '" + text + "' (0, a port, or first-last)");
        }
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
