package io.sparkalex.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler files run the README's nightly command: the Airflow DAG compiles and its
 * SparkSubmitOperator builds the same spark-submit command as the README's line (run with
 * {@code SPARKALEX_DRY_RUN=1}, which prints spark-submit's arguments), and the crontab line is
 * that line. Airflow is not installed here: a stand-in ({@code src/test/resources/airflow-stub})
 * records the operator's arguments and builds the command as Airflow's SparkSubmitHook does.
 */
class NightlySchedulerFilesTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DAG = ROOT.resolve("submit/airflow/sparkalex_nightly.py");
    static final Path CRON = ROOT.resolve("submit/cron/sparkalex-nightly.cron");
    static final String MASTER = "spark://spark-master:7077";

    @TempDir
    Path tmp;

    /** The command under the README's nightly-command marker. */
    static String readmeCommand() throws Exception {
        Matcher m = Pattern.compile("<!-- nightly-command[^>]*-->\\s*```bash\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(Files.readString(ROOT.resolve("README.md")));
        assertTrue(m.find(), "README has the nightly command");
        return m.group(1).strip();
    }

    record Output(int code, String text) {
    }

    Output run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().remove("SPARK_HOME");
        pb.environment().putAll(env);
        pb.environment().put("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString());
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        return new Output(p.exitValue(), text);
    }

    @Test
    void theDagCompiles() throws Exception {
        Output o = run(List.of("python3", "-m", "py_compile", DAG.toString()), Map.of());
        assertEquals(0, o.code(), o.text());
    }

    @Test
    void theDagRunsTheReadmesCommand() throws Exception {
        String date = LocalDate.now().toString();
        Output dag = run(List.of("python3", ROOT.resolve("src/test/resources/airflow-stub/build_command.py").toString(),
                DAG.toString(), date, MASTER), Map.of("SPARKALEX_HOME", ROOT.toString()));
        assertEquals(0, dag.code(), dag.text());
        JsonNode built = new ObjectMapper().readTree(dag.text());
        assertEquals("30 1 * * *", built.get("schedule").asText(), "the DAG runs when the cron line does");
        List<String> fromDag = new ArrayList<>();
        built.get("command").forEach(t -> fromDag.add(t.asText()));
        assertEquals("spark-submit", fromDag.remove(0));

        // The README's line, from the checkout instead of /opt/sparkalex, printing what it would submit.
        String line = readmeCommand();
        assertTrue(line.startsWith("cd /opt/sparkalex && "), line);
        Output readme = run(List.of("bash", "-c", line.substring("cd /opt/sparkalex && ".length())),
                Map.of("SPARKALEX_DRY_RUN", "1", "SPARKALEX_JOB_JAR",
                        ROOT.resolve("target/sparkalex-0.1.0-SNAPSHOT-job.jar").toString()));
        assertEquals(0, readme.code(), readme.text());
        List<String> fromReadme = List.of(readme.text().strip().split("\n"));
        assertTrue(fromReadme.contains("--out") && fromReadme.get(fromReadme.indexOf("--out") + 1).endsWith(date),
                fromReadme.toString());

        assertEquals(Submission.of(fromReadme), Submission.of(fromDag));
    }

    /** On YARN the DAG submits in cluster mode (the driver's memory and ports in the cluster), elsewhere in client mode. */
    @Test
    void theDagSubmitsInClusterModeOnYarn() throws Exception {
        for (String host : List.of("yarn", "spark://spark-master")) {
            Output dag = run(List.of("python3", ROOT.resolve("src/test/resources/airflow-stub/build_command.py").toString(),
                    DAG.toString(), "2026-12-03", host), Map.of("SPARKALEX_HOME", ROOT.toString(),
                    "STUB_SPARK_CONN_HOST", host));
            assertEquals(0, dag.code(), dag.text());
            List<String> cmd = new ArrayList<>();
            new ObjectMapper().readTree(dag.text()).get("command").forEach(t -> cmd.add(t.asText()));
            assertEquals(host.equals("yarn") ? "cluster" : "client", cmd.get(cmd.indexOf("--deploy-mode") + 1), host);
        }
    }

    /**
     * Airflow retries a failed task (2 retries); the DAG fails it without retries on the exit codes
     * a retry cannot fix (2 usage, 3 data, 6 diverged) and lets Airflow retry the others (4 resumes,
     * 5 waits for the lease). In cluster mode spark-submit exits 1 for any failure: the code then
     * comes from run-status.json in the run's --out ("1:3": spark-submit 1, the job recorded 3).
     */
    @Test
    void theDagRetriesOnlyWhatARetryCanFix() throws Exception {
        Output o = run(List.of("python3", ROOT.resolve("src/test/resources/airflow-stub/exit_codes.py").toString(),
                DAG.toString(), "0", "1", "2", "3", "4", "5", "6", "1:2", "1:3", "1:4", "1:6", "1:none"),
                Map.of("SPARKALEX_HOME", ROOT.toString()));
        assertEquals(0, o.code(), o.text());
        JsonNode r = new ObjectMapper().readTree(o.text());
        assertEquals(2, r.get("retries").asInt());
        Map<String, String> expected = new java.util.HashMap<>(Map.of("0", "ok", "1", "retry", "2", "fail", "3", "fail",
                "4", "retry", "5", "retry", "6", "fail"));
        expected.putAll(Map.of("1:2", "fail", "1:3", "fail", "1:4", "retry", "1:6", "fail", "1:none", "retry"));
        expected.forEach((code, outcome) -> assertEquals(outcome, r.get("outcome").get(code).asText(), "exit " + code));
    }

    @Test
    void theCronLineIsTheReadmesCommand() throws Exception {
        String entry = Files.readAllLines(CRON).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .findFirst().orElseThrow();
        String[] fields = entry.split(" ", 6);
        assertEquals("30 1 * * *", String.join(" ", List.of(fields).subList(0, 5)));
        String command = fields[5].replaceFirst("\\s*>>.*$", "").replace("\\%", "%");
        assertEquals(readmeCommand(), command);
    }

    /** spark-submit's arguments: options as (flag, value) pairs in any order, then the jar and its arguments in order. */
    record Submission(List<String> options, List<String> application) {
        static Submission of(List<String> args) {
            List<String> options = new ArrayList<>();
            int i = 0;
            while (i < args.size() && args.get(i).startsWith("--")) {
                options.add(args.get(i) + " " + args.get(i + 1));
                i += 2;
            }
            options.sort(null);
            return new Submission(options, args.subList(i, args.size()));
        }
    }
}
