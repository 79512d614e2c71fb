package io.sparkalex.train;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.cli.Main;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.storage.Json;
import io.sparkalex.storage.PromotionDecision;
import io.sparkalex.storage.RunStatus;
import io.sparkalex.testing.Pushgateway;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A nightly retraining schedule in local mode, run by run through the command line as cron or
 * Airflow would: the first run trains and promotes; a warm-started run that is no better is not
 * promoted; a better recipe is, and the old model becomes previous.zip; patience stops a run
 * early; drifted data stops a run before training; the Pushgateway holds every epoch, and a
 * Pushgateway that is down or never answers does not stop a run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyRetrainingTest {
    static final String RUN_NAME = "nightly-test";
    @TempDir
    static Path tmp;
    static SampleData data;
    static Path promoted;
    static Pushgateway gateway;

    @BeforeAll
    static void start() throws Exception {
        TestSpark.session();
        data = SampleData.write(tmp.resolve("data"), 3, 40, 5);
        promoted = tmp.resolve("production");
        gateway = Pushgateway.start(tmp);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** {@code train} over {@code out} with the tiny network, promoting to {@link #promoted}; returns the exit code. */
    static int train(Path out, String csv, List<String> flags, String... settings) {
        List<String> args = new ArrayList<>(List.of("train", "--csv", csv, "--images", data.images().toUri().toString(),
                "--out", out.toUri().toString(), "--promote-to", promoted.toUri().toString()));
        args.addAll(flags);
        List<String> base = new ArrayList<>(List.of("batch_size", "16", "averaging_frequency", "2", "dropout", "0",
                "learning_rate", "1e-3"));
        base.addAll(Arrays.asList(settings));
        args.addAll(TinyConfig.flags(base.toArray(new String[0])));
        return Main.execute(args.toArray(new String[0]));
    }

    static int train(Path out, List<String> flags, String... settings) {
        return train(out, data.csv().toUri().toString(), flags, settings);
    }

    static RunStatus status(Path out) throws Exception {
        return Json.read(Files.readString(out.resolve("run-status.json")), RunStatus.class);
    }

    static PromotionDecision decision(Path out) throws Exception {
        return Json.read(Files.readString(out.resolve("promotion.json")), PromotionDecision.class);
    }

    @Test
    @Order(1)
    void theFirstRunTrainsAndPromotesAndPushesEveryEpoch() throws Exception {
        Path out = tmp.resolve("night-1");
        assertEquals(ExitCode.OK, train(out, List.of(), "epochs", "2", "metrics_push_url", gateway.url()));

        RunStatus s = status(out);
        assertEquals(RunStatus.State.SUCCEEDED, s.state(), s.reason());
        assertEquals(0, s.exitCode());
        assertEquals(2, s.epoch());
        assertNotNull(s.best());
        assertNotNull(s.test());
        assertNotNull(s.finishedAt());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertTrue(decision(out).promoted(), decision(out).reason());
        assertArrayEquals(Files.readAllBytes(out.resolve("best.zip")), Files.readAllBytes(promoted.resolve("model.zip")));
        assertTrue(Files.exists(promoted.resolve("report.html")) && Files.exists(promoted.resolve("promotion.json")));
        assertFalse(Files.exists(promoted.resolve("previous.zip")), "nothing was promoted before");

        // The Pushgateway holds every epoch's series, the state and the last success, grouped by run name.
        String run = TestSpark.session().sparkContext().appName();
        Map<Map<String, String>, Double> valLoss = gateway.series("sparkalex", run, "sparkalex_history_val_loss");
        assertEquals(2, valLoss.size(), valLoss.toString());
        var history = new CheckpointStore(FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(out.toUri())).readState(CheckpointStore.LATEST).orElseThrow().history();
        for (var m : history) {
            assertEquals(m.valLoss(), valLoss.get(Map.of("epoch", String.valueOf(m.epoch()))), 1e-9);
        }
        for (String metric : List.of("sparkalex_history_train_loss", "sparkalex_history_val_accuracy",
                "sparkalex_history_train_accuracy", "sparkalex_history_images_per_second",
                "sparkalex_history_epoch_seconds")) {
            assertEquals(2, gateway.series("sparkalex", run, metric).size(), metric);
        }
        assertEquals(Map.of(Map.of(), 2.0), gateway.series("sparkalex", run, "sparkalex_epoch"));
        assertEquals(1.0, gateway.series("sparkalex", run, "sparkalex_state").get(Map.of("state", "succeeded")));
        assertEquals(0.0, gateway.series("sparkalex", run, "sparkalex_state").get(Map.of("state", "running")));
        assertEquals(0.0, gateway.series("sparkalex", run, "sparkalex_bad_row_fraction").get(Map.of()));
        double lastSuccess = gateway.series("sparkalex", run, "sparkalex_last_success_timestamp_seconds").get(Map.of());
        assertEquals(java.time.Instant.parse(s.finishedAt()).toEpochMilli() / 1000.0, lastSuccess, 0.01);
    }

    @Test
    @Order(2)
    void aWarmStartedRunThatIsNoBetterIsNotPromoted() throws Exception {
        byte[] before = Files.readAllBytes(promoted.resolve("model.zip"));
        Path out = tmp.resolve("night-2");
        // Warm-started from production and barely moved (a tiny rate): the same val accuracy, not more.
        assertEquals(ExitCode.OK, train(out, List.of("--warm-start", promoted.resolve("model.zip").toUri().toString()),
                "epochs", "1", "learning_rate", "1e-10"));

        RunStatus s = status(out);
        assertEquals(RunStatus.State.NOT_PROMOTED, s.state(), s.reason());
        assertEquals(0, s.exitCode());
        assertTrue(Files.exists(out.resolve("_SUCCESS")), "a run that is not promoted is complete");
        PromotionDecision d = decision(out);
        assertFalse(d.promoted());
        assertEquals(d.candidateValue(), d.incumbentValue(), 1e-9, "both scored on the same val split");
        assertTrue(d.reason().contains("not more than promote_min_gain"), d.reason());
        assertNotNull(d.incumbentProvenance(), "the promoted model's provenance is recorded");
        assertArrayEquals(before, Files.readAllBytes(promoted.resolve("model.zip")), "production untouched");
        assertFalse(Files.exists(promoted.resolve("previous.zip")));
        var state = new CheckpointStore(FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(out.toUri())).readState(CheckpointStore.LATEST).orElseThrow();
        assertTrue(state.provenance().warmStartedFrom().endsWith("production/model.zip"),
                state.provenance().warmStartedFrom());
    }

    @Test
    @Order(3)
    void aBetterRecipeIsPromotedAndTheOldModelKept() throws Exception {
        byte[] before = Files.readAllBytes(promoted.resolve("model.zip"));
        Path out = tmp.resolve("night-3");
        assertEquals(ExitCode.OK, train(out, List.of(), "epochs", "6"));

        RunStatus s = status(out);
        assertEquals(RunStatus.State.SUCCEEDED, s.state(), s.reason());
        PromotionDecision d = decision(out);
        assertTrue(d.promoted(), d.reason());
        assertTrue(d.candidateValue() > d.incumbentValue(), d.toString());
        assertArrayEquals(Files.readAllBytes(out.resolve("best.zip")), Files.readAllBytes(promoted.resolve("model.zip")));
        assertArrayEquals(before, Files.readAllBytes(promoted.resolve("previous.zip")), "the replaced model is kept");
        assertEquals(d, Json.read(Files.readString(promoted.resolve("promotion.json")), PromotionDecision.class));
    }

    @Test
    @Order(4)
    void patienceStopsARunEarlyAsASuccess() throws Exception {
        Path out = tmp.resolve("patience");
        // No later epoch can beat the first by 10: patience 1 ends the run after epoch 2 of 5.
        List<String> flags = List.of();
        assertEquals(ExitCode.OK, train(out, flags, "epochs", "5", "patience", "1", "min_delta", "10",
                "promote_min_gain", "1"));
        RunStatus s = status(out);
        assertEquals(RunStatus.State.NOT_PROMOTED, s.state(), "not promoted wins over stopped early: " + s.reason());
        assertTrue(s.stopReason().contains("patience=1"), s.stopReason());
        assertEquals(2, s.epoch());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));

        Path plain = tmp.resolve("patience-no-promotion");
        List<String> args = new ArrayList<>(List.of("train", "--csv", data.csv().toUri().toString(), "--images",
                data.images().toUri().toString(), "--out", plain.toUri().toString()));
        args.addAll(TinyConfig.flags("epochs", "5", "patience", "1", "min_delta", "10", "batch_size", "16"));
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])));
        assertEquals(RunStatus.State.STOPPED_EARLY, status(plain).state());
        assertEquals(2, status(plain).epoch());
        // A rerun finds the run complete: same state, nothing trained.
        assertEquals(ExitCode.OK, Main.execute(args.toArray(new String[0])));
        assertEquals(RunStatus.State.STOPPED_EARLY, status(plain).state());
        assertEquals(2, status(plain).epoch());
        assertTrue(Files.exists(plain.resolve("_SUCCESS")));
    }

    @Test
    @Order(5)
    void driftedDataStopsTheRunBeforeTraining() throws Exception {
        // Most of one class's training rows are gone tonight.
        List<String> rows = Files.readAllLines(data.csv());   // ",filename,split" rows: "0,n02091244_1.JPEG,train"
        String dropped = rows.get(1).split(",")[1].split("_")[0];
        int[] kept = {0};
        List<String> drifted = rows.stream().filter(r -> !(r.split(",")[1].startsWith(dropped + "_")
                && r.endsWith(",train") && kept[0]++ >= 3)).collect(Collectors.toList());
        assertEquals(rows.size() - 25, drifted.size(), "28 training rows of one class, 3 kept");
        Path csv = Files.write(tmp.resolve("drifted.csv"), drifted);
        Path out = tmp.resolve("drifted");
        assertEquals(ExitCode.DATA, train(out, csv.toUri().toString(), List.of(), "epochs", "1", "drift_action", "stop"));
        RunStatus s = status(out);
        assertEquals(RunStatus.State.FAILED, s.state());
        assertEquals(ExitCode.DATA, s.exitCode());
        assertTrue(s.reason().contains("drifted"), s.reason());
        assertTrue(s.drift().drifted() && s.drift().classWithLargestChange().equals(dropped), s.drift().toString());
        assertEquals(0, s.epoch(), "stopped before training");
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(out.resolve("latest.zip")));
    }

    @Test
    @Order(6)
    void aWarmStartWithOtherClassesNeedsTheOutputLayerReinitialised() throws Exception {
        List<String> rows = Files.readAllLines(data.csv());
        String dropped = rows.get(1).split(",")[1].split("_")[0];
        Path csv = Files.write(tmp.resolve("two-classes.csv"), rows.stream()
                .filter(r -> !r.split(",")[1].startsWith(dropped + "_")).collect(Collectors.toList()));
        String model = promoted.resolve("model.zip").toUri().toString();
        Path refused = tmp.resolve("other-classes");
        assertEquals(ExitCode.USAGE, train(refused, csv.toUri().toString(), List.of("--warm-start", model),
                "epochs", "1"));
        assertTrue(status(refused).reason().contains("--warm-start-reinit-output"), status(refused).reason());

        Path out = tmp.resolve("other-classes-reinit");
        assertEquals(ExitCode.OK, train(out, csv.toUri().toString(), List.of("--warm-start", model,
                "--warm-start-reinit-output"), "epochs", "1", "learning_rate", "1e-10"));
        FileSystem fs = FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        var production = CheckpointStore.read(fs, new org.apache.hadoop.fs.Path(promoted.resolve("model.zip").toUri()));
        var trained = new CheckpointStore(fs, new org.apache.hadoop.fs.Path(out.toUri())).load(CheckpointStore.LATEST)
                .orElseThrow();
        var layers = trained.network().getLayers();
        // Within 1e-6, not bit for bit: the run trained one epoch at a learning rate of 1e-10 after the copy.
        assertTrue(layers[0].getParam("W").equalsWithEps(production.network().getLayer(0).getParam("W"), 1e-6),
                "conv1 copied from the promoted model");
        assertEquals(2, layers[layers.length - 1].getParam("W").columns(), "a new two-class output layer");
        RunStatus s = status(out);
        assertEquals(RunStatus.State.NOT_PROMOTED, s.state(), s.reason());
        assertTrue(s.promotion().reason().contains("cannot be compared"), s.promotion().reason());
        assertTrue(s.drift().drifted() && s.drift().missingClasses().equals(List.of(dropped)), s.drift().toString());
    }

    @Test
    @Order(7)
    void aPushgatewayThatIsDownOrSilentNeverStopsTraining() throws Exception {
        int closed = Pushgateway.freePort();
        assertEquals(ExitCode.OK, train(tmp.resolve("gateway-down"), List.of(), "epochs", "1", "promote_min_gain", "1",
                "metrics_push_url", "http://127.0.0.1:" + closed));
        // A gateway that accepts connections and never answers: every push is cut off at its timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(ExitCode.OK, train(tmp.resolve("gateway-silent"), List.of(), "epochs", "1",
                    "promote_min_gain", "1", "metrics_push_url", "http://127.0.0.1:" + silent.getLocalPort(),
                    "metrics_push_timeout_s", "1"));
        }
        assertEquals(RunStatus.State.NOT_PROMOTED, status(tmp.resolve("gateway-silent")).state());
    }
}
