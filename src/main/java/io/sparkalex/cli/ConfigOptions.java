package io.sparkalex.cli;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@code --conf FILE} and {@code --set key=value}, shared by every command that builds a model. */
final class ConfigOptions {
    @Option(names = "--conf", paramLabel = "FILE",
            description = "Training config (HOCON), any Hadoop URI; keys left out keep conf/train.conf's defaults.")
    String confFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one config key, e.g. --set epochs=3 --set width_factor=0.25. Repeatable.")
    List<String> overrides = new ArrayList<>();

    JobConfig load(Configuration hadoop) {
        return load(hadoop, java.util.Map.of());
    }

    /** The configuration with {@code keys} set over the user's file and --set flags (a command's own settings). */
    JobConfig load(Configuration hadoop, java.util.Map<String, String> keys) {
        String text = null;
        if (confFile != null) {
            Path path = new Path(confFile);
            try {
                FileSystem fs = path.getFileSystem(hadoop);
                try (InputStream in = fs.open(path)) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new ConfigError("cannot read --conf " + confFile + ": " + e.getMessage());
            }
        }
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>(JobConfig.parseOverrides(overrides));
        all.putAll(keys);
        return JobConfig.load(text, all);
    }
}
