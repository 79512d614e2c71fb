package io.sparkalex.storage;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lease in --out on the real local file system: held, refused, renewed, taken over, lost, released. */
class OutputLeaseTest {
    @TempDir
    java.nio.file.Path dir;

    FileSystem fs() throws Exception {
        return AtomicFiles.fileSystem(new Path(dir.toUri()), new org.apache.hadoop.conf.Configuration());
    }

    Path out() {
        return new Path(dir.toUri());
    }

    OutputLease.Holder holder() throws Exception {
        return Json.read(Files.readString(dir.resolve(OutputLease.FILE)), OutputLease.Holder.class);
    }

    @Test
    void aLiveRunsLeaseRefusesASecondRunAndIsRenewedAndReleased() throws Exception {
        try (OutputLease first = OutputLease.acquire(fs(), out(), "run-a", Duration.ofSeconds(4))) {
            assertEquals("run-a", holder().runId());
            var e = assertThrows(OutputLease.HeldException.class,
                    () -> OutputLease.acquire(fs(), out(), "run-b", Duration.ofSeconds(4)));
            assertTrue(e.getMessage().contains("run-a") && e.getMessage().contains("another run holds"), e.getMessage());
            String beat = holder().heartbeatAt();
            Thread.sleep(2500);   // renewed every timeout/4 = 1 s
            assertNotEquals(beat, holder().heartbeatAt(), "the heartbeat moves");
            first.check();
        }
        assertFalse(Files.exists(dir.resolve(OutputLease.FILE)), "released at the end");
        OutputLease.acquire(fs(), out(), "run-b", Duration.ofSeconds(4)).close();
    }

    @Test
    void aLeaseWithAnOldHeartbeatIsTakenOver() throws Exception {
        String old = Instant.now().minusSeconds(600).toString();
        Files.writeString(dir.resolve(OutputLease.FILE), Json.write(
                new OutputLease.Holder("dead-run", "some-other-host", 1, old, old)));
        try (OutputLease lease = OutputLease.acquire(fs(), out(), "run-c", Duration.ofSeconds(120))) {
            assertEquals("run-c", holder().runId());
        }
    }

    @Test
    void aLeaseOfAProcessThatExitedOnThisHostIsTakenOverAtOnce() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        String now = Instant.now().toString();
        Files.writeString(dir.resolve(OutputLease.FILE), Json.write(
                new OutputLease.Holder("crashed-run", OutputLease.host(), p.pid(), now, now)));
        try (OutputLease lease = OutputLease.acquire(fs(), out(), "run-d", Duration.ofSeconds(120))) {
            assertEquals("run-d", holder().runId());
        }
    }

    @Test
    void aRunWhoseLeaseWasTakenOverKnowsIt() throws Exception {
        try (OutputLease lease = OutputLease.acquire(fs(), out(), "slow-run", Duration.ofSeconds(4))) {
            String now = Instant.now().toString();
            Files.writeString(dir.resolve(OutputLease.FILE), Json.write(
                    new OutputLease.Holder("other-run", "elsewhere", 7, now, now)));
            Thread.sleep(2500);
            assertThrows(OutputLease.HeldException.class, lease::check);
        }
        assertEquals("other-run", holder().runId(), "closing does not remove another run's lease");
    }
}
