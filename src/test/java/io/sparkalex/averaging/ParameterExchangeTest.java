package io.sparkalex.averaging;

import io.sparkalex.eval.ScoreSums;
import io.sparkalex.testing.Bits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's parameter exchange over real HTTP on loopback: what a round sums, refuses, waits for and sends back. */
class ParameterExchangeTest {
    private ParameterExchange exchange;

    @AfterEach
    void close() {
        if (exchange != null) {
            exchange.close();
        }
    }

    private static INDArray row(float... values) {
        return Nd4j.createFromArray(values).reshape(1, values.length).castTo(DataType.FLOAT);
    }

    /** A worker's training-pass sums: {@code 8 + p} images, loss sums that only add up exactly in one order. */
    private static ScoreSums fit(int p) {
        return new ScoreSums(8 + p, p == 0 ? 1e16 : p == 1 ? 1.5 : -1e16, p, 2L * p);
    }

    /**
     * Float sums depend on their order; results are summed in partition order whatever order they
     * arrive in, so a run is the same computation however its tasks race.
     */
    @Test
    void resultsAreSummedInPartitionOrderWhateverOrderTheyArriveIn() throws Exception {
        INDArray[] results = {row(1e8f, 1f), row(1f, -1e8f), row(-1e8f, 1e8f)};
        INDArray inOrder = run(results, new int[] {0, 1, 2});
        INDArray reversed = run(results, new int[] {2, 1, 0});
        INDArray shuffled = run(results, new int[] {1, 2, 0});
        Bits.assertBitIdentical(inOrder, reversed, "arriving in reverse");
        Bits.assertBitIdentical(inOrder, shuffled, "arriving shuffled");
        // (1e8 + 1 + -1e8) / 3 in float32 is 0, not 1/3: the order is the one a sequential sum takes.
        Bits.assertBitIdentical(row(0f, (1f + -1e8f + 1e8f) / 3), inOrder, "the sequential sum");
    }

    private INDArray run(INDArray[] results, int[] arrival) throws Exception {
        INDArray params = row(0f, 0f);
        try (ParameterExchange ex = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0)) {
            ex.openEpoch(params, new int[] {results.length}, null);
            for (int p : arrival) {
                ex.link().send(0, p, results[p], fit(p));
            }
            ScoreSums fit = ex.finishEpoch(10_000).fit();
            // The training pass's sums too: 1e16 + 1.5 - 1e16 is 2 in partition order, 0 in others.
            assertEquals(new ScoreSums(27, 1e16 + 1.5 + -1e16, 3, 6), fit, "sums in partition order");
        }
        return params;
    }

    @Test
    void aRetriedTasksSecondResultALateRoundsAndAShortOneAreRefusedOrIgnored() throws Exception {
        INDArray params = row(0f, 0f);
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        List<String> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
        exchange.openEpoch(params, new int[] {2, 1}, (round, rounds) -> applied.add(round + "/" + rounds));
        link.send(0, 0, row(2f, 2f), fit(0));
        link.send(0, 0, row(100f, 100f), fit(0));   // a retried task: the first complete result stays
        assertEquals(1, link.next(0), "a new task of partition 0 continues with the next round");
        assertEquals(0, link.next(1), "partition 1 has not sent this round's result");
        IOException late = assertThrows(IOException.class, () -> link.send(7, 1, row(1f, 1f), fit(1)));
        assertTrue(late.getMessage().contains("409"), late.getMessage());
        IOException outside = assertThrows(IOException.class, () -> link.send(0, 2, row(1f, 1f), fit(2)));
        assertTrue(outside.getMessage().contains("409"), "partition 2 of a 2-partition round: " + outside.getMessage());
        IOException wrongSize = assertThrows(IOException.class, () -> link.send(0, 1, row(1f, 1f, 1f), fit(1)));
        assertTrue(wrongSize.getMessage().contains("400"), wrongSize.getMessage());
        link.send(0, 1, row(4f, 6f), fit(1));   // the round's last result applies it
        INDArray fetched = Nd4j.createUninitialized(DataType.FLOAT, 1, 2);
        link.fetchParameters(1, 0, fetched);
        Bits.assertBitIdentical(row(3f, 4f), fetched, "the average of the first results");
        assertEquals(1, exchange.version());
        IOException gone = assertThrows(IOException.class, () -> link.fetchParameters(0, 0, fetched));
        assertTrue(gone.getMessage().contains("409"), "an earlier version is gone: " + gone.getMessage());
        IOException lateResult = assertThrows(IOException.class, () -> link.send(0, 1, row(1f, 1f), fit(1)));
        assertTrue(lateResult.getMessage().contains("409"), lateResult.getMessage());
        link.send(1, 0, row(5f, 5f), fit(0));   // round 2 has one participant
        List<ParameterExchange.RoundRecord> rounds = exchange.finishEpoch(10_000).rounds();
        Bits.assertBitIdentical(row(5f, 5f), params, "round 2's one result");
        assertEquals(List.of("1/2", "2/2"), applied);
        assertEquals(2, rounds.size());
        assertEquals(1, rounds.get(0).lastPartition(), "partition 1 completed round 1");
        assertEquals(3 * 2 * 4, rounds.get(0).receivedBytes(), "three results of two float32 arrived in round 1, one ignored");
        assertEquals(0, rounds.get(0).sentBytes(), "nobody fetched version 0");
        assertEquals(2 * 4, rounds.get(1).sentBytes(), "the fetch of version 1 counts for round 2");
        assertEquals(fit(0).plus(fit(1)), rounds.get(0).fit(), "each partition's first result's sums, once");
        assertEquals(fit(0), rounds.get(1).fit());
    }

    /** A worker asks for the next round's parameters as soon as it sent its result: the request waits for the round. */
    @Test
    void aRequestForTheNextVersionWaitsUntilTheRoundIsApplied() throws Exception {
        INDArray params = row(1f, 1f);
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        exchange.openEpoch(params, new int[] {2, 2}, null);
        link.send(0, 0, row(3f, 3f), fit(0));
        INDArray next = Nd4j.createUninitialized(DataType.FLOAT, 1, 2);
        CompletableFuture<ExchangeLink.Fetched> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return link.fetchParameters(1, 0, next);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(300);
        assertFalse(waiting.isDone(), "version 1 does not exist until partition 1's result is in");
        link.send(0, 1, row(5f, 5f), fit(1));
        ExchangeLink.Fetched fetched = waiting.get(10, TimeUnit.SECONDS);
        Bits.assertBitIdentical(row(4f, 4f), next, "version 1");
        assertTrue(fetched.waitedNanos() >= TimeUnit.MILLISECONDS.toNanos(250),
                "the driver reports the wait, which is not transfer time: " + fetched.waitedNanos());

        // A failed job abandons the epoch: a worker waiting for a round that never comes is told so.
        CompletableFuture<Void> abandoned = CompletableFuture.runAsync(() -> {
            try {
                link.fetchParameters(2, 1, next);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(200);
        exchange.abandonEpoch();
        Exception e = assertThrows(Exception.class, () -> abandoned.get(10, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("409") && e.getMessage().contains("abandoned"), e.getMessage());
        Bits.assertBitIdentical(row(4f, 4f), params, "round 2 was never applied");
    }

    @Test
    void aRoundWithAMissingResultIsNotApplied() throws Exception {
        INDArray params = row(1f, 1f);
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0);
        exchange.openEpoch(params, new int[] {2}, null);
        exchange.link().send(0, 1, row(5f, 5f), fit(1));
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> exchange.finishEpoch(100));
        assertTrue(missing.getMessage().contains("partitions [0] never sent"), missing.getMessage());
        Bits.assertBitIdentical(row(1f, 1f), params, "unchanged");
    }

    /**
     * Divergence: a result holding a NaN or an infinity is refused before it enters the sum and
     * halts the epoch; the worker waiting for the round and every later request are told why
     * ({@link ExchangeLink.Halted}, which ends a task without failing it), and the driver's
     * parameters keep their bits.
     */
    @Test
    void aNonFiniteResultIsRefusedAndHaltsTheEpoch() throws Exception {
        for (Transfer transfer : Transfer.values()) {
            INDArray params = row(1f, 2f);
            try (ParameterExchange ex = ParameterExchange.start(transfer, "127.0.0.1", "127.0.0.1", 0)) {
                ExchangeLink link = ex.link();
                ex.openEpoch(params, new int[] {2, 2}, null);
                INDArray base = params.dup();
                INDArray wire = Nd4j.createUninitialized(DataType.BFLOAT16, 1, 2);
                send(link, 0, params.add(1f), base, wire, fit(0));
                CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                    try {
                        link.fetchParameters(1, 0, Nd4j.createUninitialized(DataType.FLOAT, 1, 2));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                ExchangeLink.Halted refused = assertThrows(ExchangeLink.Halted.class,
                        () -> send(link, 1, row(1f, Float.NaN), base, wire, fit(1)));
                assertTrue(refused.getMessage().contains("round 1 of 2, partition 1")
                        && refused.getMessage().contains("NaN or infinite"), refused.getMessage());
                Exception told = assertThrows(Exception.class, () -> waiting.get(10, TimeUnit.SECONDS));
                assertTrue(told.getCause() instanceof java.io.UncheckedIOException u
                        && u.getCause() instanceof ExchangeLink.Halted, transfer + ": " + told);
                assertThrows(ExchangeLink.Halted.class, () -> link.next(0), "every later request");
                ParameterExchange.EpochRounds rounds = ex.finishEpoch(10_000);
                assertEquals(refused.getMessage(), rounds.halted());
                assertEquals(List.of(), rounds.rounds(), "no round was applied");
                Bits.assertBitIdentical(row(1f, 2f), params, transfer + ": the driver's parameters");
            }
        }
    }

    /** A worker whose training loss stopped being finite halts the epoch itself; the others are told. */
    @Test
    void aWorkerThatDivergedHaltsTheEpoch() throws Exception {
        INDArray params = row(1f, 1f);
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        exchange.openEpoch(params, new int[] {2, 2}, null);
        link.send(0, 0, row(3f, 3f), fit(0));
        link.send(0, 1, row(5f, 5f), fit(1));
        ExchangeLink.Halted halted = assertThrows(ExchangeLink.Halted.class,
                () -> link.halt(1, 1, "training loss NaN at its minibatch 2 of 2"));
        assertEquals("round 2 of 2, partition 1: training loss NaN at its minibatch 2 of 2", halted.getMessage());
        assertThrows(ExchangeLink.Halted.class, () -> link.send(1, 0, row(1f, 1f), fit(0)));
        ParameterExchange.EpochRounds rounds = exchange.finishEpoch(10_000);
        assertEquals(halted.getMessage(), rounds.halted());
        assertEquals(1, rounds.rounds().size(), "round 1 was applied before the halt");
        assertEquals(fit(0).plus(fit(1)), rounds.fit(), "the applied round's images and sums");
        Bits.assertBitIdentical(row(4f, 4f), params, "round 1 applied, nothing after");
    }

    private static void send(ExchangeLink link, int partition, INDArray params, INDArray base, INDArray wire,
                             ScoreSums fit) throws IOException {
        if (link.transfer == Transfer.BF16) {
            link.sendChange(0, partition, params, base, wire, new ChangeMath(), fit);
        } else {
            link.send(0, partition, params, fit);
        }
    }

    /**
     * bf16: workers send their change rounded to bfloat16 and add the fetched update to their copy;
     * they end bit-identical to the driver, round after round, though every change was rounded,
     * whichever arithmetic each uses (worker 0 ND4J's, worker 1 and the driver the vector kernels)
     * and whether a change is added as it arrives or once whole.
     */
    @Test
    void bf16WorkersAddingTheUpdateStayBitIdenticalToTheDriver() throws Exception {
        Nd4j.getRandom().setSeed(5);
        int n = 1_300_003;   // bf16: several of the exchange's 1 MB copy chunks, the last one partial
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, n);
        INDArray start = params.dup();
        INDArray[] base = {params.dup(), params.dup()};
        INDArray[] network = {params.dup(), params.dup()};
        INDArray wire = Nd4j.createUninitialized(DataType.BFLOAT16, 1, n);
        ChangeMath[] math = {new ChangeMath(false), new ChangeMath(true)};
        exchange = ParameterExchange.start(Transfer.BF16, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        exchange.openEpoch(params, new int[] {2, 2, 2}, null);
        for (int round = 0; round < 3; round++) {
            for (int p = 0; p < 2; p++) {
                if (round > 0) {
                    // kept whole, then added; or added as it arrives (no relay to pass it to)
                    Runnable received = (round + p) % 2 == 0 ? null : () -> { };
                    link.addUpdate(null, round, p, base[p], network[p], wire, math[p], received);
                    exchange.awaitOwnParameters(round, 10_000);   // the driver adds it after publishing it
                    Bits.assertBitIdentical(params, base[p], "round " + round + ", worker " + p);
                    Bits.assertBitIdentical(params, network[p], "round " + round + ", worker " + p + "'s network");
                }
                network[p].addi(Nd4j.randn(DataType.FLOAT, 1, n).muli(1e-3));   // "training"
                link.sendChange(round, p, network[p], base[p], wire, math[p], fit(p));
            }
        }
        exchange.finishEpoch(10_000);
        assertNotEquals(start, params, "the rounds moved the parameters");
        INDArray moved = network[0].sub(start);
        assertTrue(moved.norm2Number().doubleValue() > 0);
    }

    /**
     * The relay tree: partition 0 fetches the change from the driver, partitions 1 and 2 from 0,
     * partition 3 from 1; everyone ends bit-identical to the driver, which sent the change once.
     */
    @Test
    void workersRelayTheChangeDownATreeAndTheDriverSendsItOnce() throws Exception {
        int n = 5_000_001;   // several of the exchange's 1 MB copy chunks, the last one partial
        Nd4j.getRandom().setSeed(9);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, n);
        exchange = ParameterExchange.start(Transfer.BF16, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        exchange.openEpoch(params, new int[] {4, 4}, null);
        INDArray[] base = new INDArray[4];
        INDArray[] network = new INDArray[4];
        INDArray[] received = new INDArray[4];
        UpdateRelay[] relays = new UpdateRelay[4];
        INDArray wire = Nd4j.createUninitialized(DataType.BFLOAT16, 1, n);
        ChangeMath math = new ChangeMath();
        try {
            for (int p = 0; p < 4; p++) {
                base[p] = params.dup();
                network[p] = params.dup();
                received[p] = Nd4j.createUninitialized(DataType.BFLOAT16, 1, n);
                relays[p] = UpdateRelay.start(link.token(), v -> v == 1);
                link.registerRelay(p, relays[p].port(), null);
                network[p].addi(Nd4j.randn(DataType.FLOAT, 1, n).muli(1e-3));
                link.sendChange(0, p, network[p], base[p], wire, math, fit(p));
            }
            for (int p = 0; p < 4; p++) {
                String parent = p == 0 ? null : link.peer((p - 1) / 2);
                assertEquals(p == 0, parent == null, "partition " + p + "'s parent");
                UpdateRelay mine = relays[p];
                INDArray copy = received[p];
                link.addUpdate(parent, 1, p, base[p], network[p], copy, math, () -> mine.holds(1, copy));
                exchange.awaitOwnParameters(1, 10_000);   // the driver adds it after publishing it
                Bits.assertBitIdentical(params, base[p], "partition " + p + " holds the driver's version 1");
                Bits.assertBitIdentical(params, network[p], "partition " + p + "'s network");
            }
            IOException notTakingPart = assertThrows(IOException.class, () -> link.addUpdate(link.peer(0), 2, 1,
                    base[1], network[1], received[1], math, () -> { }));
            assertTrue(notTakingPart.getMessage().contains("409"), "a worker not in round 2 never holds version 2: "
                    + notTakingPart.getMessage());
            relays[1].close();
            assertThrows(IOException.class, () -> link.addUpdate(link.peer(1), 1, 3, base[3], network[3], received[3],
                    math, () -> { }), "a closed relay fails the request: the worker then goes to the driver");
            for (int p = 0; p < 4; p++) {
                network[p].addi(1e-3f);
                link.sendChange(1, p, network[p], base[p], wire, math, fit(p));
            }
            List<ParameterExchange.RoundRecord> rounds = exchange.finishEpoch(10_000).rounds();
            assertEquals(2L * n, rounds.get(1).sentBytes(), "the driver sent round 2's change once, to partition 0");
        } finally {
            for (UpdateRelay r : relays) {
                if (r != null) {
                    r.close();
                }
            }
        }
    }

    /**
     * With spark.authenticate, a request that does not prove the application's secret is refused
     * (401) before it is read, on the exchange and on a relay; it changes nothing: the round takes
     * the real workers' results, and their sum is the driver's.
     */
    @Test
    void withSparkAuthenticateOnlyRequestsProvingTheSecretAreServed() throws Exception {
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0,
                new ExchangeProtection(token -> ExchangeAuth.of("s3cret", token), false, null));
        ExchangeLink unsigned = exchange.link();
        ExchangeLink worker = unsigned.signingWith(ExchangeAuth.of("s3cret", unsigned.token()), 7);
        ExchangeLink intruder = unsigned.signingWith(ExchangeAuth.of("guessed", unsigned.token()), 7);
        INDArray params = row(1f, 1f);
        exchange.openEpoch(params, new int[] {2}, null);
        INDArray into = Nd4j.createUninitialized(DataType.FLOAT, 1, 2);
        for (ExchangeLink stranger : new ExchangeLink[] {intruder, unsigned.signingWith(ExchangeAuth.TRUSTING, 7)}) {
            IOException refused = assertThrows(IOException.class, () -> stranger.fetchParameters(0, 0, into));
            assertTrue(refused.getMessage().contains("401"), refused.getMessage());
            assertFalse(refused.getMessage().contains(unsigned.token()), "the run's token in no message");
            assertThrows(IOException.class, () -> stranger.send(0, 0, row(99f, 99f), fit(0)));
        }
        worker.fetchParameters(0, 0, into);
        Bits.assertBitIdentical(params, into, "the worker's fetch");
        worker.send(0, 0, row(3f, 3f), fit(0));
        worker.send(0, 1, row(5f, 5f), fit(1));
        exchange.finishEpoch(10_000);
        Bits.assertBitIdentical(row(4f, 4f), params, "the intruder's results never entered the sum");

        try (UpdateRelay relay = UpdateRelay.start(unsigned.token(), ExchangeAuth.of("s3cret", unsigned.token()),
                false, io.sparkalex.config.PortRange.ANY, v -> true)) {
            relay.holds(1, Nd4j.zeros(DataType.BFLOAT16, 1, 2));
            IOException refused = assertThrows(IOException.class, () -> intruder.addUpdate("127.0.0.1:" + relay.port(),
                    1, 0, row(0f, 0f), row(0f, 0f), Nd4j.zeros(DataType.BFLOAT16, 1, 2), new ChangeMath(), () -> { }));
            assertTrue(refused.getMessage().contains("401"), refused.getMessage());
        }
    }

    /**
     * A reader that stops reading mid-download (an attacker, or an executor cut off until TCP gives
     * up) holds up no round: what it was sent is a copy of its version, sent without a lock, so the
     * round is applied, the next version served and the epoch finished while it still hangs.
     */
    @Test
    void aReaderThatStopsReadingHoldsUpNoRound() throws Exception {
        int n = 8_000_000;   // 32 MB of float32: more than the sockets' buffers hold
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, n);
        INDArray start = params.dup();
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        exchange.openEpoch(params, new int[] {1, 1}, null);
        try (java.net.Socket stalled = new java.net.Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", exchange.port()));
            stalled.getOutputStream().write(("GET /" + link.token() + "/params/0/0 HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            stalled.getInputStream().read(new byte[1024]);   // its reply has begun; it reads no further
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
                INDArray mine = Nd4j.createUninitialized(DataType.FLOAT, 1, n);
                for (int round = 0; round < 2; round++) {
                    link.fetchParameters(round, 0, mine);
                    link.send(round, 0, mine.add(1f), fit(0));
                }
                assertEquals(2, exchange.finishEpoch(10_000).rounds().size());
            }, "the rounds went on while a reader hung");
            Bits.assertBitIdentical(start.add(1f).add(1f), params, "both rounds applied");
        }
    }
}
