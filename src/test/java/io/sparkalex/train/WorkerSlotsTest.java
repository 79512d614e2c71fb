package io.sparkalex.train;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.config.ConfigError;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Workers come from the executors' task slots, and a run that asks for more than there are stops at once. */
class WorkerSlotsTest {
    @TempDir
    Path tmp;

    @Test
    void localModesSlotsAreItsCores() {
        assertEquals(2, WorkerSlots.slots(TestSpark.session().sparkContext()), "local[2]");
    }

    /** Executors registering one by one: 0 takes the count once it has stopped growing, not the first one seen. */
    @Test
    void zeroWorkersTakesEverySlotOnceTheExecutorsHaveRegistered() {
        AtomicInteger calls = new AtomicInteger();
        int[] registered = {0, 0, 1, 1, 1, 3};
        int workers = WorkerSlots.resolve(() -> registered[Math.min(calls.getAndIncrement(), registered.length - 1)],
                0, 30_000, true);
        assertEquals(3, workers);
    }

    @Test
    void moreWorkersThanSlotsStopsWithinTheWaitAndSaysWhatToChange() {
        long t0 = System.currentTimeMillis();
        ConfigError e = assertThrows(ConfigError.class, () -> WorkerSlots.resolve(() -> 2, 4, 3_000, true));
        assertTrue(System.currentTimeMillis() - t0 < 10_000, "within the wait");
        assertTrue(e.getMessage().contains("workers = 4") && e.getMessage().contains("2 task slots")
                && e.getMessage().contains("at most 2"), e.getMessage());
        assertEquals(4, WorkerSlots.resolve(() -> 2, 4, 0, false), "DL4J's own master: slower, not stuck");
        assertEquals(4, WorkerSlots.resolve(() -> 4, 4, 3_000, true));
    }

    /** As a new user would try it: --set workers=4 in local mode on 2 cores exits 2 at once, not after a hang. */
    @Test
    void aRunAskingForMoreWorkersThanLocalCoresExitsTwoAtOnce() {
        long t0 = System.currentTimeMillis();
        ConfigError e = assertThrows(ConfigError.class, () -> new TrainingJob(TestSpark.session(),
                TinyConfig.with("workers", "4"), new Locations(tmp.resolve("none.csv").toString(),
                tmp.resolve("images").toString(), tmp.resolve("out").toString(), null), false).run());
        assertTrue(System.currentTimeMillis() - t0 < 60_000, "within a minute");
        assertEquals(ExitCode.USAGE, ExitCode.of(e));
        assertTrue(e.getMessage().contains("workers = 4 but the executors offer 2 task slots"), e.getMessage());
    }

    /** Before each epoch: enough slots go on at once; a cluster that lost them is a training failure (exit 4), not a hang. */
    @Test
    void anEpochThatCannotGetItsSlotsIsATrainingFailure() {
        var sc = TestSpark.session().sparkContext();
        WorkerSlots.ensure(sc, TinyConfig.with(), 2, 3);   // local[2]: both workers run
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> WorkerSlots.ensure(sc, TinyConfig.with(), 3, 3));
        assertEquals(ExitCode.TRAINING, ExitCode.of(e));
        assertTrue(e.getMessage().contains("epoch 3 needs 3 task slots"), e.getMessage());
    }
}
