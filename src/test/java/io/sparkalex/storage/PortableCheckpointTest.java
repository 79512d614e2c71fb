package io.sparkalex.storage;

import io.sparkalex.model.OneDnnConvolution;
import io.sparkalex.model.PortableConfiguration;
import io.sparkalex.testing.ToyModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints load in plain DL4J, without a class of this project, and the job puts its kernels back. */
class PortableCheckpointTest {
    @TempDir
    java.nio.file.Path tmp;

    /** A program that knows DL4J only: loads a model zip and prints its parameter count and one output. */
    static final String LOADER = """
            import org.deeplearning4j.util.ModelSerializer;
            import org.nd4j.linalg.factory.Nd4j;
            public class Loader {
                public static void main(String[] args) throws Exception {
                    try {
                        Class.forName("io.sparkalex.model.ExactLrn");
                        System.out.println("sparkalex classes are on the classpath");
                        System.exit(3);
                    } catch (ClassNotFoundException expected) {
                    }
                    var net = ModelSerializer.restoreMultiLayerNetwork(new java.io.File(args[0]), true);
                    int size = Integer.parseInt(args[1]);
                    var x = Nd4j.linspace(-1, 1, 3L * size * size).reshape(1, 3, size, size).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
                    System.out.println("params " + net.numParams());
                    System.out.println("output " + java.util.Arrays.toString(net.output(x, false).toFloatVector()));
                    System.out.println("updater " + net.getUpdater().getStateViewArray().length());
                }
            }
            """;

    @Test
    void aCheckpointLoadsInAJvmWithDl4jOnlyAndGivesTheSameOutputs() throws Exception {
        ToyModel toy = ToyModel.get();
        FileSystem fs = FileSystem.getLocal(new Configuration());
        String conf = CheckpointStore.readConfiguration(fs, new Path(toy.best().toUri()));
        assertFalse(conf.contains("io.sparkalex"), "the saved configuration names DL4J's layers only");

        java.nio.file.Path loader = Files.writeString(tmp.resolve("Loader.java"), LOADER);
        String classpath = Arrays.stream(System.getProperty("surefire.test.class.path",
                        System.getProperty("java.class.path")).split(File.pathSeparator))
                .filter(e -> !e.endsWith("classes") && !e.endsWith("classes/"))   // target/classes, test-classes
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classpath, loader.toString(), toy.best().toString(), "67"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), printed);

        CheckpointStore.Checkpoint ours = CheckpointStore.read(fs, new Path(toy.best().toUri()));
        MultiLayerNetwork fast = PortableConfiguration.withKernels(ours.network(), true);
        assertTrue(fast.getLayerWiseConfigurations().getConf(0).getLayer() instanceof OneDnnConvolution,
                "the job swaps its kernels back in");
        assertTrue(printed.contains("params " + fast.numParams()), printed);
        INDArray x = Nd4j.linspace(-1, 1, 3L * 67 * 67).reshape(1, 3, 67, 67).castTo(
                org.nd4j.linalg.api.buffer.DataType.FLOAT);
        float[] expected = fast.output(x, false).toFloatVector();
        String line = printed.lines().filter(l -> l.startsWith("output ")).findFirst().orElseThrow();
        String[] values = line.substring("output [".length(), line.length() - 1).split(", ");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], Float.parseFloat(values[i]), 1e-4, "class " + i + " in " + line);
        }
        assertTrue(printed.contains("updater " + fast.getUpdater().getStateViewArray().length()), printed);
    }
}
