package io.sparkalex.testing;

import io.sparkalex.config.JobConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small AlexNet every training test uses: the real layer graph at 67x67 input (the smallest
 * the geometry allows) and a quarter of the widths, one epoch unless a test says otherwise.
 */
public final class TinyConfig {
    public static final Map<String, String> BASE = Map.of("image_size", "67", "width_factor", "0.25", "epochs", "1");

    private TinyConfig() {
    }

    /** The tiny configuration with {@code key, value, key, value...} overrides on top. */
    public static JobConfig with(String... keyValues) {
        return JobConfig.load(null, settings(keyValues));
    }

    /** A recipe file of {@code conf/} (e.g. {@code alexnet-paper.conf}), shrunk to the tiny network. */
    public static JobConfig recipe(String confFile, String... keyValues) throws java.io.IOException {
        String root = System.getProperty("sparkalex.root", ".");
        return JobConfig.load(java.nio.file.Files.readString(java.nio.file.Path.of(root, "conf", confFile)),
                settings(keyValues));
    }

    /** The same as {@code --set key=value} flags, for tests that run the command line or a script. */
    public static List<String> flags(String... keyValues) {
        List<String> flags = new ArrayList<>();
        settings(keyValues).forEach((k, v) -> flags.addAll(List.of("--set", k + "=" + v)));
        return flags;
    }

    private static Map<String, String> settings(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key, value pairs expected");
        }
        Map<String, String> all = new LinkedHashMap<>(BASE);
        for (int i = 0; i < keyValues.length; i += 2) {
            all.put(keyValues[i], keyValues[i + 1]);
        }
        return all;
    }
}
