package io.sparkalex.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes forms of the job (submit/k8s/: the image, a SparkApplication, the nightly
 * ScheduledSparkApplication) run what submit/k8s.sh submits: the same jar path in the image, main
 * class, Spark settings and log4j configuration, and the nightly one the README's nightly flags.
 * No Kubernetes cluster is reachable here: the manifests are parsed and compared, not applied.
 */
class K8sManifestsTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** What submit/k8s.sh would run: spark-submit's arguments (SPARKALEX_DRY_RUN). */
    static List<String> k8sScript(String... jobArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/k8s.sh"));
        cmd.addAll(List.of(jobArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("SPARKALEX_DRY_RUN", "1", "SPARK_HOME", "/nonexistent",
                "K8S_MASTER", "k8s://https://api:6443", "K8S_IMAGE", "registry.example.com/sparkalex:0.1.0"));
        pb.environment().remove("SPARK_CONF_DIR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        return List.of(out.strip().split("\n"));
    }

    /** The --conf pairs of a spark-submit argument list, without those k8s.sh adds for the cluster itself. */
    static Map<String, String> jobConf(List<String> args) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("--conf") && !args.get(i + 1).startsWith("spark.kubernetes.")) {
                String[] kv = args.get(i + 1).split("=", 2);
                conf.put(kv[0], kv[1]);
            }
        }
        return conf;
    }

    static Map<String, String> fields(JsonNode node) {
        Map<String, String> m = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static List<String> list(JsonNode node) {
        List<String> l = new ArrayList<>();
        node.forEach(n -> l.add(n.asText()));
        return l;
    }

    @Test
    void theManifestsRunWhatK8sShSubmits() throws Exception {
        List<String> script = k8sScript("train", "--csv", "x");
        String jar = script.get(script.indexOf("--class") + 2);
        String mainClass = script.get(script.indexOf("--class") + 1);
        Map<String, String> conf = jobConf(script);
        assertTrue(conf.get("spark.driver.extraJavaOptions").contains(
                "-Dlog4j2.configurationFile=file:/opt/sparkalex/conf/log4j2.properties"), conf.toString());

        JsonNode train = YAML.readTree(ROOT.resolve("submit/k8s/sparkalex-train.yaml").toFile());
        JsonNode nightly = YAML.readTree(ROOT.resolve("submit/k8s/sparkalex-nightly.yaml").toFile());
        assertEquals("SparkApplication", train.get("kind").asText());
        assertEquals("ScheduledSparkApplication", nightly.get("kind").asText());
        assertEquals("Forbid", nightly.at("/spec/concurrencyPolicy").asText(), "never two nightly runs at once");
        for (JsonNode spec : List.of(train.get("spec"), nightly.at("/spec/template"))) {
            assertEquals(mainClass, spec.get("mainClass").asText());
            assertEquals(jar, spec.get("mainApplicationFile").asText());
            assertEquals(conf, fields(spec.get("sparkConf")), "the job's Spark settings, log4j from the image");
            assertEquals(conf.get("spark.executor.memory"), spec.at("/executor/memory").asText());
            assertEquals(conf.get("spark.executor.memoryOverhead"), spec.at("/executor/memoryOverhead").asText());
            assertEquals(conf.get("spark.executor.cores"), spec.at("/executor/cores").asText());
            assertEquals("train", spec.at("/arguments/0").asText());
        }

        // The image puts the jar and conf/ where k8s.sh and the manifests look for them.
        String docker = Files.readString(ROOT.resolve("submit/k8s/Dockerfile"));
        assertTrue(docker.contains(" " + jar.substring("local://".length()) + "\n"), "the jar at " + jar);
        assertTrue(docker.contains("COPY conf/ /opt/sparkalex/conf/"), "conf/ with log4j2.properties");
        assertTrue(docker.contains("FROM ${SPARK_IMAGE}") && docker.contains("apache/spark:3.5.9-scala2.12-java17"));
    }

    @Test
    void theNightlyManifestRunsTheReadmesNightlyFlags() throws Exception {
        Matcher m = Pattern.compile("<!-- nightly-command[^>]*-->\\s*```bash\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(Files.readString(ROOT.resolve("README.md")));
        assertTrue(m.find());
        String line = m.group(1).strip();
        // the cron line's date, which the operator cannot compute, is the job's {date}
        List<String> expected = List.of(line.substring(line.indexOf(" train ") + 1).replace("$(date +%F)", "{date}")
                .split(" "));
        JsonNode nightly = YAML.readTree(ROOT.resolve("submit/k8s/sparkalex-nightly.yaml").toFile());
        List<String> args = list(nightly.at("/spec/template/arguments"));
        assertEquals(expected, args);
        assertEquals("30 1 * * *", nightly.at("/spec/schedule").asText(), "when the cron line and the DAG run");
        assertEquals("hdfs:///runs/sparkalex/nightly/2026-12-03",
                TrainCommand.dated("hdfs:///runs/sparkalex/nightly/{date}", LocalDate.of(2026, 12, 3)));
    }
}
