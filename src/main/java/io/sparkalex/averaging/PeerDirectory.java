package io.sparkalex.averaging;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the open epoch's workers' update relays listen ({@link UpdateRelay}), by partition, as
 * {@code host:port}, followed by {@code " "} and its certificate's fingerprint when it speaks TLS:
 * each registers its own, its children in the relay tree look their parent up.
 *
 * <p>Concurrency: a concurrent map; registrations and look-ups come from request threads in any
 * order (a child that asks before its parent registered falls back to the driver), and
 * {@link #clear} runs when an epoch opens.
 */
final class PeerDirectory {
    private final Map<Integer, String> peers = new ConcurrentHashMap<>();

    /**
     * Partition {@code partition}'s relay listens on {@code port} at {@code host} (its request's
     * address), with the certificate whose SHA-256 is {@code fingerprint} (null: plain HTTP).
     */
    void register(int partition, InetAddress host, int port, String fingerprint) {
        if (port < 1 || port > 65535 || (fingerprint != null && !fingerprint.matches("[0-9a-f]{64}"))) {
            throw new NumberFormatException("not a relay's port and fingerprint");   // a 400
        }
        String h = host.getHostAddress();
        peers.put(partition, (h.contains(":") ? "[" + h + "]" : h) + ":" + port
                + (fingerprint == null ? "" : " " + fingerprint));
    }

    /** Where partition {@code partition}'s relay listens, or null if it has none. */
    String lookup(int partition) {
        return peers.get(partition);
    }

    /** Forgets every relay: a new epoch's tasks register their own. */
    void clear() {
        peers.clear();
    }
}
