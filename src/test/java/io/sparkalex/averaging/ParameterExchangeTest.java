package io.sparkalex.averaging;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's parameter exchange over real HTTP on loopback: what a round sums, refuses and sends back. */
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
        assertEquals(inOrder, reversed);
        assertEquals(inOrder, shuffled);
        // (1e8 + 1 + -1e8) / 3 in float32 is 0, not 1/3: the order is the one a sequential sum takes.
        assertEquals(row(0f, (1f + -1e8f + 1e8f) / 3), inOrder);
    }

    private INDArray run(INDArray[] results, int[] arrival) throws IOException {
        INDArray params = row(0f, 0f);
        try (ParameterExchange ex = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0)) {
            ex.openRound(params, results.length);
            for (int p : arrival) {
                ex.link().send(0, p, results[p]);
            }
            ex.applyRound();
        }
        return params;
    }

    @Test
    void aRetriedTasksSecondResultALateRoundsAndAShortOneAreRefusedOrIgnored() throws Exception {
        INDArray params = row(0f, 0f);
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        exchange.openRound(params, 2);
        link.send(0, 0, row(2f, 2f));
        link.send(0, 0, row(100f, 100f));   // a retried task: the first complete result stays
        IOException late = assertThrows(IOException.class, () -> link.send(7, 1, row(1f, 1f)));
        assertTrue(late.getMessage().contains("409"), late.getMessage());
        IOException outside = assertThrows(IOException.class, () -> link.send(0, 2, row(1f, 1f)));
        assertTrue(outside.getMessage().contains("409"), "partition 2 of a 2-partition round: " + outside.getMessage());
        IOException wrongSize = assertThrows(IOException.class, () -> link.send(0, 1, row(1f, 1f, 1f)));
        assertTrue(wrongSize.getMessage().contains("400"), wrongSize.getMessage());
        link.send(0, 1, row(4f, 6f));
        exchange.applyRound();
        assertEquals(row(3f, 4f), params);
        assertEquals(1, exchange.version());
        INDArray fetched = Nd4j.createUninitialized(DataType.FLOAT, 1, 2);
        link.fetchParameters(1, fetched);
        assertEquals(params, fetched);
        assertThrows(IOException.class, () -> link.fetchParameters(0, fetched), "an earlier version is gone");
    }

    @Test
    void aRoundWithAMissingResultIsNotApplied() throws Exception {
        INDArray params = row(1f, 1f);
        exchange = ParameterExchange.start(Transfer.FLOAT32, "127.0.0.1", "127.0.0.1", 0);
        exchange.openRound(params, 2);
        exchange.link().send(0, 1, row(5f, 5f));
        assertThrows(IllegalStateException.class, exchange::applyRound);
        assertEquals(row(1f, 1f), params);
    }

    /**
     * bf16: a worker that adds the fetched update to its copy of the parameters ends bit-identical
     * to the driver, round after round, though every change was rounded.
     */
    @Test
    void bf16WorkersAddingTheUpdateStayBitIdenticalToTheDriver() throws Exception {
        Nd4j.getRandom().setSeed(5);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 1000);
        INDArray worker = params.dup();
        INDArray start = params.dup();
        exchange = ParameterExchange.start(Transfer.BF16, "127.0.0.1", "127.0.0.1", 0);
        ExchangeLink link = exchange.link();
        for (int round = 0; round < 3; round++) {
            exchange.openRound(params, 2);
            for (int p = 0; p < 2; p++) {
                INDArray change = Nd4j.randn(DataType.FLOAT, 1, 1000).muli(1e-3);
                link.send(round, p, change.castTo(DataType.BFLOAT16));
            }
            exchange.applyRound();
            INDArray update = Nd4j.createUninitialized(DataType.BFLOAT16, 1, 1000);
            link.fetchUpdate(round + 1, update);
            worker.addi(update.castTo(DataType.FLOAT));
            assertEquals(params, worker, "round " + round);
        }
        assertNotEquals(start, params, "the rounds moved the parameters");
    }
}
