package io.sparkalex.cli;

import io.sparkalex.storage.Uris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point: {@code train}, {@code evaluate}, {@code predict}, {@code summary}, {@code calibrate}, {@code plan},
 * {@code sample-data}. Run through
 * {@code spark-submit} (see {@code submit/}). Maps failures to the exit codes of {@link ExitCode}.
 */
@Command(name = "sparkalex", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Trains AlexNet data-parallel on Apache Spark (DL4J parameter averaging).",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, SummaryCommand.class,
                CalibrateCommand.class, PlanCommand.class,
                SampleDataCommand.class})
public final class Main implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        int code = execute(args);
        if (inYarnClusterMode()) {
            // YARN's ApplicationMaster runs main in a thread and reports any System.exit before main
            // returns as FAILED: return normally on success, throw (FAILED, with the reason) otherwise.
            if (code != ExitCode.OK) {
                throw new IllegalStateException("sparkalex failed with exit code " + code + ": "
                        + (lastFailure == null ? "see the driver log" : lastFailure));
            }
            return;
        }
        // Non-daemon threads of Spark or ND4J must not keep a finished job alive.
        System.exit(code);
    }

    /** Runs a command and returns its exit code (tests call this directly). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> exitCodeOf(e));
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {   // picocli hands only Exceptions to the handler
            log.error("out of memory: {}; raise --driver-memory (DRIVER_MEMORY) or lower batch_size; a rerun "
                    + "resumes from the last checkpoint\n{}", Uris.redact(e.getMessage()), Uris.stackTrace(e));
            return ExitCode.TRAINING;
        } catch (Error e) {
            if (ExitCode.explained(e) != e) {
                return exitCodeOf(e);   // ND4J's backend failed to load in a static initialiser
            }
            log.error("internal error: {}\n{}", Uris.redact(e.toString()), Uris.stackTrace(e));
            return ExitCode.INTERNAL;
        }
    }

    /** The driver runs inside YARN's ApplicationMaster (spark-submit --master yarn --deploy-mode cluster). */
    static boolean inYarnClusterMode() {
        return System.getenv("SPARK_YARN_STAGING_DIR") != null && System.getenv("CONTAINER_ID") != null;
    }

    /** What the last failed command said, for YARN's diagnostics. */
    private static volatile String lastFailure;

    static int exitCodeOf(Throwable failure) {
        Throwable e = ExitCode.explained(failure);
        lastFailure = Uris.redact(e.getMessage() != null ? e.getMessage() : e.toString());
        int code = ExitCode.of(e);
        switch (code) {
            case ExitCode.USAGE -> log.error("configuration error: {}", Uris.redact(e.getMessage()));
            case ExitCode.DATA -> log.error("data error: {}", Uris.redact(e.getMessage()));
            case ExitCode.BUSY -> log.error("output directory busy: {}", Uris.redact(e.getMessage()));
            case ExitCode.DIVERGED -> log.error("{}", Uris.redact(e.getMessage()));
            case ExitCode.TRAINING -> log.error("training failed: {}\n{}", Uris.redact(e.getMessage()),
                    Uris.stackTrace(e instanceof TrainingFailure && e.getCause() != null ? e.getCause() : e));
            default -> log.error("internal error: {}\n{}", Uris.redact(e.toString()), Uris.stackTrace(e));
        }
        return code;
    }

    /** {@code --version}: what the build stamped into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var b = io.sparkalex.storage.BuildInfo.current();
            return new String[] {"sparkalex " + b.version() + " (git " + b.gitCommit() + ", DL4J " + b.dl4jVersion()
                    + ", " + b.nd4jBackend() + ")"};
        }
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
