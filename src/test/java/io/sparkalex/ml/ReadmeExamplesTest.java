package io.sparkalex.ml;

import io.sparkalex.testing.ReadmeExamples;
import io.sparkalex.testing.ScalaShell;
import io.sparkalex.testing.ToyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's spark-shell example, its text as the README has it, run in Scala's interpreter
 * (as spark-shell would: {@link ScalaShell}) in a directory laid out as after the README's first
 * command: the sample run's model in {@code runs/sample/best.zip} and its images under
 * {@code data/sample/my_imagenet} (here the toy model and its data).
 */
class ReadmeExamplesTest {

    @Test
    void theSparkShellExampleRunsAsWritten(@TempDir Path dir) throws Exception {
        ToyModel toy = ToyModel.get();
        Files.createDirectories(dir.resolve("runs/sample"));
        Files.copy(toy.best(), dir.resolve("runs/sample/best.zip"));
        Path images = Files.createDirectories(dir.resolve("data/sample/my_imagenet"));
        int count = 0;
        try (var files = Files.list(toy.data().images())) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
                count++;
            }
        }
        Path script = Files.writeString(dir.resolve("example.scala"), ReadmeExamples.block("spark-shell"));

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dorg.bytedeco") || arg.startsWith("-Djdk.reflect")
                    || arg.startsWith("-XX:+IgnoreUnrecognized")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), ScalaShell.class.getName(),
                script.toString()));
        Path log = dir.resolve("shell.log");
        Process shell = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(shell.waitFor(4, TimeUnit.MINUTES), "the example finished");
        String output = Files.readString(log);
        assertEquals(0, shell.exitValue(), output);
        List<String> labels = io.sparkalex.train.SavedModels.load(toy.best().toUri().toString(),
                new org.apache.hadoop.conf.Configuration()).classes();
        assertTrue(output.contains(labels.toString()), "the labels printed: " + output);
        Matcher agree = Pattern.compile("(\\d+) of (\\d+) images: the same class").matcher(output);
        assertTrue(agree.find(), output);
        assertEquals(count, Integer.parseInt(agree.group(2)), "every image read as binaryFile");
        assertEquals(count, Integer.parseInt(agree.group(1)), "every image the same class from bytes and from structs");
    }
}
