package io.sparkalex.cli;

import io.sparkalex.plan.Calibration;
import io.sparkalex.storage.EpochMetrics;
import io.sparkalex.storage.Json;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code calibrate} end to end in local mode (two workers, the tiny network), then {@code plan}
 * from its file: the plan of a calibration run's own layout gives that run's last epoch's images/s.
 */
class CalibratePlanTest {
    @TempDir
    static Path tmp;
    static SampleData data;

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();
        data = SampleData.write(tmp.resolve("data"), 3, 40, 11);
    }

    @Test
    void calibrationRunsEachFrequencyAndThePlanReproducesAMeasuredEpoch() throws Exception {
        Path out = tmp.resolve("calibration");
        List<String> args = new ArrayList<>(List.of("calibrate", "--csv", data.csv().toUri().toString(),
                "--images", data.images().toUri().toString(), "--out", out.toUri().toString(),
                "--frequencies", "1,2", "--rounds", "2", "--min-minibatches", "3", "--val-minibatches", "1",
                "--passes", "2", "--warmup-minibatches", "8"));
        args.addAll(TinyConfig.flags("batch_size", "4", "workers", "2"));
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])));

        Calibration c = Calibration.fromJson(Files.readString(out.resolve("calibration.json")));
        assertEquals(2, c.cluster().workers());
        assertEquals(List.of(1, 2), c.runs().stream().map(Calibration.Run::averagingFrequency).toList());
        for (Calibration.Run r : c.runs()) {
            // f=1: 3 rounds (3 minibatches per worker at least), f=2: 2; 2 workers x batch 4 x f a round
            int rounds = r.averagingFrequency() == 1 ? 3 : 2;
            assertEquals(2L * 4 * r.averagingFrequency() * rounds, r.trainImages(), r.toString());
            assertEquals(rounds, r.roundsPerEpoch(), r.toString());
            assertEquals(2, r.epochs());
            assertEquals(2, r.passes());
            assertEquals(4, r.trainImagesPerSecond().size(), "both passes' epochs");
            assertEquals(8, r.valImages(), "one minibatch per worker");
            List<String> sample = Files.readAllLines(out.resolve("_samples/f" + r.averagingFrequency() + ".csv"));
            assertEquals(1 + r.trainImages() + r.valImages(), sample.size(), "header and the sampled rows");
        }
        Calibration.Terms t = c.terms();
        for (double term : new double[] {t.minibatchSeconds(), t.roundFixedSeconds(), t.transferBytesPerWorker(),
                t.transferBytesPerSecond(), t.evalSecondsPerImage(), t.cacheImagesPerSecondPerCore()}) {
            assertTrue(term > 0 && Double.isFinite(term), "every measured term positive: " + t);
        }
        assertTrue(t.minibatchSeconds() < 10, "a tiny minibatch: " + t);
        assertEquals(c.network().parameters() * 2.0, t.transferBytesPerWorker(), c.network().parameters() * 0.1,
                "bf16: two bytes a parameter, a worker's change per round");

        // The plan of the f=2 runs: 32 training images, 2 workers, 2 epochs, batch 4; the same rounds
        // in both passes, so the plan's epoch is the mean of the passes' second epochs
        double secondEpochs = 0;
        for (String run : List.of("f2", "f2-2")) {
            List<String> lines = Files.readAllLines(out.resolve(run + "/metrics.jsonl"));
            secondEpochs += Json.read(lines.get(lines.size() - 1), EpochMetrics.class).trainSeconds() / 2;
        }
        double measured = 32 / secondEpochs;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PlanCommand plan = new PlanCommand();
        plan.stdout = new PrintStream(printed, true, StandardCharsets.UTF_8);
        int code = new picocli.CommandLine(plan).execute("--calibration", out.resolve("calibration.json").toUri().toString(),
                "--train-images", "32", "--val-images", "8", "--epochs", "2", "--averaging-frequency", "2",
                "--workers", "2", "--json", out.resolve("plan.json").toUri().toString());
        assertEquals(ExitCode.OK, code, printed.toString(StandardCharsets.UTF_8));
        var json = Json.MAPPER.readTree(Files.readString(out.resolve("plan.json")));
        double predicted = json.path("images_per_second").asDouble();
        assertEquals(measured, predicted, 0.02 * measured,
                "the plan of the runs' own layout is their later epochs': " + printed.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(), Json.MAPPER.convertValue(json.path("extrapolations"), List.class));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("node-hours"));
    }
}
