package io.sparkalex.sharing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.messages.impl.base.BaseVoidMessage;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;

import java.io.ObjectInputStream;
import java.io.Serializable;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient sharing's UDP transport, for real (DL4J's Aeron transport, a root and a node on
 * loopback): its own messages (the handshake, the mesh) still pass the allow-list, a message
 * holding another class is refused before that class is instantiated, and streams that are not
 * the transport's are left alone.
 */
class AeronMessageFilterTest {
    @TempDir
    Path tmp;

    /** Creates its file when deserialised: what a gadget class would do with far worse effects. */
    static final class Marker implements Serializable {
        private static final long serialVersionUID = 1L;
        final String path;

        Marker(String path) {
            this.path = path;
        }

        private void readObject(ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            Files.writeString(Path.of(path), "deserialised");
        }
    }

    /** A transport message that carries a {@link Marker}. */
    static final class Smuggled extends BaseVoidMessage {
        private static final long serialVersionUID = 1L;
        final Object payload;

        Smuggled(Object payload) {
            this.payload = payload;
        }
    }

    @Test
    void aTransportMessageHoldingAnotherClassIsRefusedWhileDl4jsOwnMessagesPass() throws Exception {
        AeronSettings.apply();
        AeronMessageFilter.install();
        int rootPort = freeUdpPort();
        int nodePort = freeUdpPort();
        VoidConfiguration conf = VoidConfiguration.builder().unicastPort(rootPort).build();
        AeronUdpTransport root = new AeronUdpTransport("127.0.0.1", rootPort, conf);
        AeronUdpTransport node = new AeronUdpTransport("127.0.0.1", nodePort, "127.0.0.1", rootPort, conf);
        try {
            root.launchAsMaster();
            node.launch();
            long end = System.currentTimeMillis() + 60_000;
            while (!node.isConnected() && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            assertTrue(node.isConnected(), "the handshake and the mesh (DL4J's own messages) passed the allow-list");

            Path marker = tmp.resolve("marker");
            long before = AeronMessageFilter.rejected();
            node.sendMessage(new Smuggled(new Marker(marker.toString())), root.id());
            end = System.currentTimeMillis() + 30_000;
            while (AeronMessageFilter.rejected() == before && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            assertTrue(AeronMessageFilter.rejected() > before, "the root's transport refused the message");
            Thread.sleep(500);
            assertFalse(Files.exists(marker), "the smuggled class was never instantiated");

            // Any other stream in the JVM (Spark's tasks, checkpoints) reads what it read before.
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(new Marker(marker.toString()));
            }
            try (ObjectInputStream in = new ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                assertEquals(Marker.class, in.readObject().getClass());
            }
            assertTrue(Files.exists(marker), "outside the transport the filter does not apply");
        } finally {
            node.shutdown();
            root.shutdown();
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }
}
