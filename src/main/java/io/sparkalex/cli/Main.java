package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.data.DataError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point: {@code train}, {@code summary}, {@code sample-data}. Run through
 * {@code spark-submit} (see {@code submit/}). Maps failures to the exit codes of {@link ExitCode}.
 */
@Command(name = "sparkalex", mixinStandardHelpOptions = true, version = "sparkalex 0.1.0",
        description = "Trains AlexNet data-parallel on Apache Spark (DL4J parameter averaging).",
        subcommands = {TrainCommand.class, SummaryCommand.class, SampleDataCommand.class})
public final class Main implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        int code = execute(args);
        // Non-daemon threads of Spark or ND4J must not keep a finished job alive.
        System.exit(code);
    }

    /** Runs a command and returns its exit code (tests call this directly). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> exitCodeOf(e));
        return cli.execute(args);
    }

    static int exitCodeOf(Throwable e) {
        if (e instanceof ConfigError) {
            log.error("configuration error: {}", e.getMessage());
            return ExitCode.USAGE;
        }
        if (e instanceof DataError) {
            log.error("data error: {}", e.getMessage());
            return ExitCode.DATA;
        }
        if (e instanceof TrainingFailure) {
            log.error("training failed: {}", e.getMessage(), e.getCause());
            return ExitCode.TRAINING;
        }
        log.error("internal error: {}", e.toString(), e);
        return ExitCode.INTERNAL;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
