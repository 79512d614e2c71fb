package io.sparkalex.testing;

import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What spark-shell is, for a test without a Spark installation: Scala 2.12's interpreter (the one
 * spark-shell's REPL is built on, class-based wrappers as spark-shell sets them) with the session
 * bound as {@code spark} and {@code sc} and the imports spark-shell makes, then the given file
 * interpreted as one {@code :paste}. The session is the tests' local one, configured as the submit
 * scripts configure the job. Exits 0 when everything compiled and ran, 1 otherwise.
 *
 * <p>Usage: {@code java -cp <test classpath> io.sparkalex.testing.ScalaShell FILE}
 */
public final class ScalaShell {
    /** spark-shell's own initialisation (Spark 3.5's {@code SparkILoop.initializationCommands}), the session given. */
    static final String SPARK_SHELL_INIT = String.join("\n",
            "@transient val spark = org.apache.spark.sql.SparkSession.builder.getOrCreate()",
            "@transient val sc = spark.sparkContext",
            "import org.apache.spark.SparkContext._",
            "import spark.implicits._",
            "import spark.sql",
            "import org.apache.spark.sql.functions._");

    private ScalaShell() {
    }

    public static void main(String[] args) throws Exception {
        TestSpark.session();
        Settings settings = new Settings();
        settings.processArgumentString("-usejavacp -Yrepl-class-based");
        IMain shell = new IMain(settings, new PrintWriter(System.out, true));
        boolean ok = shell.interpret(SPARK_SHELL_INIT) == Results.Success$.MODULE$
                && shell.interpret(Files.readString(Path.of(args[0]))) == Results.Success$.MODULE$;
        shell.close();
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }
}
