package io.sparkalex.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.Json;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every averaging round is timed part by part ({@code rounds.jsonl}): the parts, measured in
 * different places (the driver's clock, the workers' own clocks), follow each other and account
 * for the round's time measured on its own, and the bytes moved are the parameters' (or their
 * changes') in the transfer's precision.
 */
class RoundTimingsTest {
    @TempDir
    Path tmp;

    @Test
    void eachRoundsPartsAddUpToTheRound() throws Exception {
        SampleData data = SampleData.write(tmp.resolve("data"), 3, 20, 3);
        Path out = tmp.resolve("out");
        // 42 training images in minibatches of 8: 6 minibatches, 2 workers x 2 per round = 2 rounds per epoch.
        new TrainingJob(TestSpark.session(), TinyConfig.with("epochs", "2", "batch_size", "8", "averaging_frequency",
                "2", "workers", "2"), data.locations(out), false).run();

        List<String> lines = Files.readAllLines(out.resolve("rounds.jsonl"));
        assertEquals(4, lines.size(), String.join("\n", lines));
        long parameters = new CheckpointStore(org.apache.hadoop.fs.FileSystem.getLocal(
                new org.apache.hadoop.conf.Configuration()), new org.apache.hadoop.fs.Path(out.toUri()))
                .load(CheckpointStore.LATEST).orElseThrow().network().numParams();
        for (String line : lines) {
            RoundBreakdown r = Json.read(line, RoundBreakdown.class);
            assertEquals(2, r.workers(), line);
            assertEquals(3, r.minibatches(), "6 minibatches in two rounds of 3: " + line);
            assertTrue(r.fitSeconds() > 0 && r.broadcastFetchSeconds() >= 0 && r.copySeconds() >= 0, line);
            for (double part : r.parts()) {
                assertTrue(part >= -0.01, "no part is negative beyond the clocks' resolution: " + line);
            }
            // The round is the driver's clock from its start to its apply; the parts are measured
            // apart from it (the driver's wait for the critical worker's request, that worker's own
            // clock for its fetch, copy, fit, rest and upload, the driver's for the apply). Only the
            // unattributed remainder is derived: the measured parts alone must fill the round, not
            // overrun it.
            double measured = java.util.Arrays.stream(r.parts()).sum() - r.unattributedSeconds();
            assertTrue(measured <= r.roundSeconds() + 0.01, "the parts fit in the round: " + line);
            assertTrue(measured >= r.roundSeconds() - Math.max(0.05, 0.1 * r.roundSeconds()),
                    "the measured parts account for the round: " + line);
            // bf16 transfer (the default): a worker's first round of an epoch fetches the float32
            // parameters, its second the bfloat16 change; each sends its change in bfloat16.
            long sent = r.round() == 1 ? 2 * 4 * parameters : 2 * 2 * parameters;
            assertEquals(sent, r.broadcastBytes(), "what the two workers fetched: " + line);
            assertEquals(2 * 2 * parameters, r.resultBytes(), "the two workers' changes in bfloat16: " + line);
        }
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertEquals(1, first.path("epoch").asInt());
        assertEquals(1, first.path("round").asInt());
    }
}
