package io.sparkalex.cluster;

import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.testing.ReadmeExamples;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Java Pipeline example, its text as the README has it, compiled against the job
 * jar and Spark's jars and submitted as the README shows ({@code SPARKALEX_APP_CLASS}, the job jar
 * to {@code --jars}) to the standalone cluster, on data in HDFS: the Estimator fits on the
 * executors, the Pipeline is saved to HDFS, loaded and scores the test split.
 */
@Tag("cluster")
@ExtendWith(ClusterExtension.class)
class ReadmeExamplesIT {

    @Test
    void theJavaPipelineExampleFitsSavesLoadsAndScoresOnTheStandaloneCluster(SharedCluster cluster) throws Exception {
        String data = cluster.hdfs.uri() + "/pipeline-data";
        new SampleDataGenerator(3, 20, 8).write(data, cluster.hdfs.conf());
        java.nio.file.Path app = Files.createDirectories(cluster.base.resolve("readme-app"));
        java.nio.file.Path source = Files.writeString(app.resolve("TrainInPipeline.java"),
                ReadmeExamples.block("TrainInPipeline.java"));
        java.nio.file.Path classes = Files.createDirectories(app.resolve("classes"));
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, errors, errors, "-d", classes.toString(), "-cp",
                System.getProperty("sparkalex.jobJar") + java.io.File.pathSeparator + ChildJvm.sparkClasspath(),
                source.toString());
        assertEquals(0, compiled, errors.toString());
        java.nio.file.Path jar = app.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             var files = Files.list(classes)) {
            for (java.nio.file.Path c : files.toList()) {
                out.putNextEntry(new JarEntry(c.getFileName().toString()));
                Files.copy(c, (OutputStream) out);
                out.closeEntry();
            }
        }

        String out = cluster.hdfs.uri() + "/runs/readme-pipeline";
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/standalone.sh"));
        cmd.addAll(ClusterIT.SMALL_EXECUTORS);
        cmd.addAll(List.of("--", data + "/" + SampleDataGenerator.CSV, data + "/" + SampleDataGenerator.IMAGES, out,
                "image_size=67", "width_factor=0.25", "epochs=2", "batch_size=8", "averaging_frequency=2",
                "learning_rate=1e-3"));
        Map<String, String> env = new HashMap<>(cluster.spark.env());
        env.putAll(Map.of("SPARKALEX_JOB_JAR", System.getProperty("sparkalex.jobJar"), "DRIVER_MEMORY", "1g",
                "SPARK_MASTER_URL", cluster.spark.masterUrl(), "SPARKALEX_APP_CLASS", "TrainInPipeline",
                "SPARKALEX_APP_JAR", jar.toString()));
        String output;
        try (ChildJvm job = ChildJvm.start(cmd, env, cluster.base.resolve("logs/readme-pipeline.log"))) {
            assertEquals(0, job.waitFor(10, TimeUnit.MINUTES), job.output());
            output = job.output();
        }

        long testRows = AtomicFiles.readString(cluster.hdfs.fs(), new Path(data, SampleDataGenerator.CSV)).lines()
                .filter(l -> l.endsWith(",test")).count();
        Matcher printed = Pattern.compile("test accuracy (\\d\\.\\d{4}) on (\\d+) images").matcher(output);
        assertTrue(printed.find(), output);
        assertEquals(testRows, Long.parseLong(printed.group(2)), "every test image scored");
        var fs = cluster.hdfs.fs();
        assertTrue(fs.exists(new Path(out, "run/_SUCCESS")), "fit ran the training job to its end");
        var stages = fs.listStatus(new Path(out, "pipeline/stages"));
        assertEquals(2, stages.length, "StringIndexer and AlexNet saved");
        assertTrue(java.util.Arrays.stream(stages).anyMatch(s -> s.getPath().getName().startsWith("1_alexnet")
                && exists(cluster, new Path(s.getPath(), "model.zip"))), "the DL4J zip saved with the stage");
        long trainVal = AtomicFiles.readString(fs, new Path(out, "run/_input/split.csv")).lines().count() - 1;
        assertEquals(AtomicFiles.readString(fs, new Path(data, SampleDataGenerator.CSV)).lines().skip(1).count()
                - testRows, trainVal, "the training CSV fit wrote: every train and val row");
    }

    private static boolean exists(SharedCluster cluster, Path path) {
        try {
            return cluster.hdfs.fs().exists(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
