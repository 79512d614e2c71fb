package io.sparkalex.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The submit scripts' way to run your own application beside the job jar (README, "In Spark ML
 * Pipelines"): {@code SPARKALEX_APP_CLASS} submits it with the job jar in {@code --jars} and the job's
 * settings, and {@code submit/shell.sh} starts spark-shell the same way; checked with
 * {@code SPARKALEX_DRY_RUN=1}, which prints the arguments (the application itself runs in
 * {@code ReadmeExamplesIT}).
 */
class SubmitAppScriptsTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final String JOB_JAR = "/opt/jobs/sparkalex-job.jar";

    static List<String> dryRun(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().remove("SPARK_HOME");
        pb.environment().putAll(Map.of("SPARKALEX_DRY_RUN", "1", "SPARKALEX_JOB_JAR", JOB_JAR));
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), text);
        return List.of(text.strip().split("\n"));
    }

    @Test
    void anApplicationIsSubmittedWithTheJobJarInJarsAndTheJobsSettings() throws Exception {
        List<String> args = dryRun(Map.of("SPARKALEX_APP_CLASS", "com.example.Train", "SPARKALEX_APP_JAR", "app.jar"),
                "bash", "submit/local.sh", "--conf", "spark.executor.cores=2", "--", "data.csv", "train");
        int jars = args.indexOf("--jars");
        assertTrue(jars >= 0, "the job jar given to --jars: " + args);
        assertEquals(List.of("--jars", JOB_JAR, "--class", "com.example.Train", "app.jar", "data.csv", "train"),
                args.subList(jars, args.size()), "the application last, its arguments after it (even 'train')");
        assertTrue(args.indexOf("spark.kryo.registrator=io.sparkalex.nd4j.FastNd4jRegistrator") < jars, args.toString());
        assertTrue(args.indexOf("spark.executor.cores=2") > args.indexOf("spark.executor.cores=1"),
                "the user's options after the job's, so they win: " + args);
        assertTrue(!args.contains("io.sparkalex.cli.Main"), "not the job's own main class");
    }

    @Test
    void theShellGetsTheJobJarAndTheJobsSettingsAndTheUsersMaster() throws Exception {
        List<String> args = dryRun(Map.of("SPARK_HOME", "/opt/spark"), "bash", "submit/shell.sh",
                "--master", "spark://master:7077");
        assertEquals(JOB_JAR, args.get(args.indexOf("--jars") + 1));
        assertTrue(args.contains("spark.serializer=org.apache.spark.serializer.KryoSerializer"), args.toString());
        assertEquals("spark://master:7077", args.get(args.lastIndexOf("--master") + 1), "the user's master, last");
    }
}
