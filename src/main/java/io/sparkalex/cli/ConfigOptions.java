package io.sparkalex.cli;

import io.sparkalex.config.ConfigFiles;
import io.sparkalex.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

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
        String text = ConfigFiles.read(confFile, "--conf", hadoop);
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>(JobConfig.parseOverrides(overrides));
        all.putAll(keys);
        return JobConfig.load(text, all);
    }
}
