package io.sparkalex.cli;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.DataError;
import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.train.TrainingJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each structural problem stops `train` at start with its documented exit code. */
class ExitCodeTest {
    @TempDir
    static Path tmp;
    static String images;

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();   // the command reuses the running session instead of starting one
        Path data = tmp.resolve("data");
        new SampleDataGenerator(2, 10, 1).write(data.toUri().toString(), new org.apache.hadoop.conf.Configuration());
        images = data.resolve(SampleDataGenerator.IMAGES).toUri().toString();
    }

    static int train(String csvText, String... extra) throws Exception {
        Path csv = Files.createTempFile(tmp, "split", ".csv");
        Files.writeString(csv, csvText);
        List<String> args = new ArrayList<>(List.of("train", "--csv", csv.toUri().toString(), "--images", images,
                "--out", tmp.resolve("out-" + System.nanoTime()).toUri().toString(),
                "--set", "image_size=67", "--set", "width_factor=0.25", "--set", "epochs=1"));
        args.addAll(List.of(extra));
        return Main.execute(args.toArray(new String[0]));
    }

    static final String GOOD = "filename,split\nn02091244_1.JPEG,train\nn02114548_1.JPEG,train\nn02091244_9.JPEG,val\n";

    @Test
    void structuralDataErrorsExitWithTheDataCode() throws Exception {
        assertEquals(ExitCode.DATA, train("name,split\nn02091244_1.JPEG,train\n"), "missing filename column");
        assertEquals(ExitCode.DATA, train("filename,split\n"), "header only");
        assertEquals(ExitCode.DATA, train(GOOD + "n02114548_2.JPEG,holdout\n"), "unknown split");
        assertEquals(ExitCode.DATA, train(GOOD + "n02091244_1.JPEG,val\n"), "duplicate file name");
        assertEquals(ExitCode.DATA, train(GOOD + "n09999999_1.JPEG,val\n"), "val label not in train");
        assertEquals(ExitCode.DATA, train("filename,split\nn02091244_1.JPEG,train\nn02114548_1.JPEG,train\n"),
                "empty val split");
        assertEquals(ExitCode.DATA, train(GOOD, "--synsets", tmp.resolve("nope.txt").toUri().toString()),
                "missing synset file");
    }

    @Test
    void aMissingImageRootIsNamed() throws Exception {
        Path csv = Files.writeString(tmp.resolve("good.csv"), GOOD);
        String root = tmp.resolve("no-such-dir").toUri().toString();
        DataError e = assertThrows(DataError.class, () -> new TrainingJob(TestSpark.session(),
                JobConfig.load(null, Map.of("image_size", "67", "width_factor", "0.25")),
                new TrainingJob.Locations(csv.toUri().toString(), root, tmp.resolve("o").toUri().toString(), null),
                false).run());
        assertTrue(e.getMessage().contains(root) && e.getMessage().contains("does not exist"), e.getMessage());
        String[] args = {"train", "--csv", csv.toUri().toString(), "--images", root, "--out",
                tmp.resolve("o2").toUri().toString(), "--set", "image_size=67"};
        assertEquals(ExitCode.DATA, Main.execute(args));
    }

    @Test
    void configAndUsageErrorsExitWithTheUsageCode() throws Exception {
        assertEquals(ExitCode.USAGE, train(GOOD, "--set", "epochz=3"), "unknown key");
        assertEquals(ExitCode.USAGE, train(GOOD, "--set", "batch_size=-1"), "out of range");
        assertEquals(ExitCode.USAGE, train(GOOD, "--set", "image_size=32"), "below the AlexNet geometry");
        assertEquals(ExitCode.USAGE, train(GOOD, "--conf", tmp.resolve("missing.conf").toUri().toString()));
        assertEquals(ExitCode.USAGE, Main.execute("train", "--csv", "x.csv"), "missing required flags");
        assertEquals(ExitCode.USAGE, Main.execute("no-such-command"));
        assertEquals(ExitCode.OK, Main.execute("summary", "--set", "image_size=67", "--set", "width_factor=0.25"));
    }
}
