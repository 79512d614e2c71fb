package io.sparkalex.cli;

import io.sparkalex.data.DataError;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import io.sparkalex.train.Locations;
import io.sparkalex.train.TrainingJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each structural problem stops `train` at start with its documented exit code. */
class ExitCodeTest {
    @TempDir
    static Path tmp;
    static SampleData data;

    static final String GOOD = "filename,split\nn02091244_1.JPEG,train\nn02114548_1.JPEG,train\nn02091244_9.JPEG,val\n";

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();   // the command reuses the running session instead of starting one
        data = SampleData.write(tmp.resolve("data"), 2, 10, 1);
    }

    /** Runs {@code train} on a CSV with this text and the tiny config, plus extra flags. */
    static int train(String csvText, String... extra) throws Exception {
        Path csv = Files.createTempFile(tmp, "split", ".csv");
        Files.writeString(csv, csvText);
        List<String> args = new ArrayList<>(List.of("train", "--csv", csv.toUri().toString(),
                "--images", data.images().toUri().toString(),
                "--out", tmp.resolve("out-" + System.nanoTime()).toUri().toString()));
        args.addAll(TinyConfig.flags());
        args.addAll(List.of(extra));
        return Main.execute(args.toArray(new String[0]));
    }

    static Stream<Arguments> dataErrors() {
        return Stream.of(
                arguments("missing filename column", "name,split\nn02091244_1.JPEG,train\n", new String[0]),
                arguments("header only", "filename,split\n", new String[0]),
                arguments("unknown split", GOOD + "n02114548_2.JPEG,holdout\n", new String[0]),
                arguments("duplicate file name", GOOD + "n02091244_1.JPEG,val\n", new String[0]),
                arguments("val label not in train", GOOD + "n09999999_1.JPEG,val\n", new String[0]),
                arguments("empty val split", "filename,split\nn02091244_1.JPEG,train\nn02114548_1.JPEG,train\n",
                        new String[0]),
                arguments("missing synset file", GOOD, new String[] {"--synsets", "file:///no/such/synsets.txt"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataErrors")
    void structuralDataErrorsExitWithTheDataCode(String problem, String csv, String[] extra) throws Exception {
        assertEquals(ExitCode.DATA, train(csv, extra), problem);
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                arguments("unknown key", new String[] {"--set", "epochz=3"}),
                arguments("out of range", new String[] {"--set", "batch_size=-1"}),
                arguments("below the AlexNet geometry", new String[] {"--set", "image_size=32"}),
                arguments("missing --conf file", new String[] {"--conf", "file:///no/such/train.conf"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageErrors")
    void configErrorsExitWithTheUsageCode(String problem, String[] flags) throws Exception {
        assertEquals(ExitCode.USAGE, train(GOOD, flags), problem);
    }

    @Test
    void commandLineErrorsExitWithTheUsageCode() {
        assertEquals(ExitCode.USAGE, Main.execute("train", "--csv", "x.csv"), "missing required flags");
        assertEquals(ExitCode.USAGE, Main.execute("no-such-command"));
        assertEquals(ExitCode.OK, Main.execute("summary", "--set", "image_size=67", "--set", "width_factor=0.25"));
    }

    /** A GPU jar where CUDA is missing: ND4J's backend error, however wrapped, is a usage error with one clear line. */
    @Test
    void noUsableNd4jBackendIsAUsageErrorThatNamesTheGpuJar() {
        Throwable nd4j = new ExceptionInInitializerError(new RuntimeException(
                new org.nd4j.linalg.factory.Nd4jBackend.NoAvailableBackendException("no CUDA")));
        Throwable explained = ExitCode.explained(nd4j);
        assertEquals(ExitCode.USAGE, ExitCode.of(explained));
        assertTrue(explained.getMessage().contains("GPU jar") && explained.getMessage().contains("CUDA"),
                explained.getMessage());
        assertEquals(ExitCode.USAGE, Main.exitCodeOf(nd4j));
        RuntimeException other = new RuntimeException("something else");
        assertEquals(other, ExitCode.explained(other), "other failures are left as they are");
    }

    @Test
    void aMissingImageRootIsNamed() throws Exception {
        Path csv = Files.writeString(tmp.resolve("good.csv"), GOOD);
        String root = tmp.resolve("no-such-dir").toUri().toString();
        DataError e = assertThrows(DataError.class, () -> new TrainingJob(TestSpark.session(), TinyConfig.with(),
                new Locations(csv.toUri().toString(), root, tmp.resolve("o").toUri().toString(), null), false).run());
        assertTrue(e.getMessage().contains(root) && e.getMessage().contains("does not exist"), e.getMessage());
        String[] args = {"train", "--csv", csv.toUri().toString(), "--images", root, "--out",
                tmp.resolve("o2").toUri().toString(), "--set", "image_size=67"};
        assertEquals(ExitCode.DATA, Main.execute(args));
    }

    @Test
    void anUnwritableOutputDirectoryIsAUsageErrorBeforeAnySparkWork() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        String[] args = {"train", "--csv", data.csv().toUri().toString(), "--images", data.images().toUri().toString(),
                "--out", file.resolve("out").toUri().toString(), "--set", "image_size=67"};
        long jobsBefore = TestSpark.session().sparkContext().statusTracker().getJobIdsForGroup(null).length;
        assertEquals(ExitCode.USAGE, Main.execute(args));
        assertEquals(jobsBefore, TestSpark.session().sparkContext().statusTracker().getJobIdsForGroup(null).length,
                "no Spark job ran");
    }

    @Test
    void aSecondRunOnALeasedOutputDirectoryExitsBusyWhileTheFirstFinishes() throws Exception {
        Path out = tmp.resolve("shared-out");
        List<String> args = new ArrayList<>(List.of("train", "--csv", data.csv().toUri().toString(),
                "--images", data.images().toUri().toString(), "--out", out.toUri().toString()));
        args.addAll(TinyConfig.flags("epochs", "2", "batch_size", "4"));
        var first = java.util.concurrent.Executors.newSingleThreadExecutor()
                .submit(() -> Main.execute(args.toArray(new String[0])));
        long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.exists(out.resolve(io.sparkalex.storage.OutputLease.FILE)) && !first.isDone()) {
            assertTrue(System.currentTimeMillis() < deadline, "the first run took its lease");
            Thread.sleep(50);
        }
        assertEquals(ExitCode.BUSY, Main.execute(args.toArray(new String[0])), "refused while the first runs");
        assertEquals(ExitCode.OK, first.get(5, java.util.concurrent.TimeUnit.MINUTES));
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "the first run finished intact");
        assertTrue(!Files.exists(out.resolve(io.sparkalex.storage.OutputLease.FILE)), "and released its lease");
    }

    @Test
    void aStorageFailureAfterTrainingStartedExitsFourAndABugExitsOne() throws Exception {
        Path out = tmp.resolve("latest-is-a-directory");
        Files.createDirectories(out.resolve("latest.zip"));   // the first checkpoint cannot replace it
        String[] args = {"train", "--csv", data.csv().toUri().toString(), "--images", data.images().toUri().toString(),
                "--out", out.toUri().toString(), "--set", "image_size=67", "--set", "width_factor=0.25",
                "--set", "batch_size=4"};
        assertEquals(ExitCode.TRAINING, Main.execute(args), "an epoch trained, then writing its checkpoint failed");
        var status = io.sparkalex.storage.Json.read(Files.readString(out.resolve("run-status.json")),
                io.sparkalex.storage.RunStatus.class);
        assertEquals(io.sparkalex.storage.RunStatus.State.FAILED, status.state());
        assertEquals(ExitCode.TRAINING, status.exitCode(), "run-status.json has the process's exit code");
        assertTrue(!Files.exists(out.resolve("_SUCCESS")));

        assertEquals(ExitCode.TRAINING, Main.exitCodeOf(new TrainingFailure(new java.io.IOException("disk gone"))));
        assertEquals(ExitCode.INTERNAL, Main.exitCodeOf(new IllegalStateException("a bug")));
        assertEquals(ExitCode.INTERNAL, Main.exitCodeOf(new NullPointerException()));
        assertEquals(ExitCode.BUSY, Main.exitCodeOf(new io.sparkalex.storage.OutputLease.HeldException("held")));
    }
}
