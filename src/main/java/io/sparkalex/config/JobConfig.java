package io.sparkalex.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import io.sparkalex.model.AlexNet;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The training configuration: one typed, validated object built from the packed defaults
 * ({@code conf/train.conf}), an optional user file and {@code --set key=value} overrides, in
 * that order of precedence. Validation happens once, here, so a bad value stops the job at
 * start with the key's name instead of failing mid-epoch. Saved inside every checkpoint.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Classpath location of {@code conf/train.conf}, packed by the build. */
    public static final String DEFAULTS_RESOURCE = "io/sparkalex/train.conf";

    /** Optimisers the job knows how to build. */
    public enum Optimizer { ADAM, SGD, NESTEROVS }

    /** Where the optimizer state lives between parameter averages (see README). */
    public enum OptimizerState { RESIDENT, AVERAGED }

    public final int epochs;
    public final int batchSize;
    public final long seed;
    public final int imageSize;
    public final double widthFactor;
    public final double dropout;
    public final boolean nativeKernels;
    public final Optimizer optimizer;
    public final double learningRate;
    public final double momentum;
    public final double weightDecay;
    public final int lrDecayEvery;
    public final double lrDecayFactor;
    public final int workers;
    public final int averagingFrequency;
    public final OptimizerState optimizerState;
    public final int prefetch;
    public final int decodePartitions;
    public final int threadsPerWorker;
    public final double trainEvalFraction;
    public final double maxBadFraction;

    private final String rendered;

    private JobConfig(Config c) {
        Reader r = new Reader(c);
        epochs = r.intIn("epochs", 1, 100_000);
        batchSize = r.intIn("batch_size", 1, 65_536);
        seed = r.longAny("seed");
        imageSize = r.intIn("image_size", 1, 4096);
        if (imageSize < AlexNet.MIN_IMAGE_SIZE) {
            throw new ConfigError("config key 'image_size' = " + imageSize + " is too small for the AlexNet geometry: "
                    + "every 3x3/2 max-pool needs a 3x3 input, which takes image_size >= " + AlexNet.MIN_IMAGE_SIZE);
        }
        widthFactor = r.doubleIn("width_factor", 0.01, 4.0);
        dropout = r.doubleIn("dropout", 0.0, 0.95);
        nativeKernels = r.bool("native_kernels");
        optimizer = r.enumOf("optimizer", Optimizer.class);
        learningRate = r.doubleIn("learning_rate", 1e-12, 10.0);
        momentum = r.doubleIn("momentum", 0.0, 0.999);
        weightDecay = r.doubleIn("weight_decay", 0.0, 1.0);
        lrDecayEvery = r.intIn("lr_decay_every", 0, 100_000);
        lrDecayFactor = r.doubleIn("lr_decay_factor", 1e-6, 1.0);
        workers = r.intIn("workers", 0, 100_000);
        averagingFrequency = r.intIn("averaging_frequency", 1, 100_000);
        optimizerState = r.enumOf("optimizer_state", OptimizerState.class);
        prefetch = r.intIn("prefetch", 0, 1000);
        decodePartitions = r.intIn("decode_partitions", 0, 1_000_000);
        threadsPerWorker = r.intIn("threads_per_worker", 0, 4096);
        trainEvalFraction = r.doubleIn("train_eval_fraction", 0.0, 1.0);
        if (trainEvalFraction <= 0) {
            throw new ConfigError("config key 'train_eval_fraction' must be > 0 (got " + trainEvalFraction + ")");
        }
        maxBadFraction = r.doubleIn("max_bad_fraction", 0.0, 1.0);
        r.rejectUnknownKeys();
        rendered = c.root().render(ConfigRenderOptions.concise().setJson(true));
    }

    /**
     * Builds the configuration.
     *
     * @param userFileText contents of a user's config file, or null
     * @param overrides    {@code --set} pairs; they win over the file and the defaults
     */
    public static JobConfig load(String userFileText, Map<String, String> overrides) {
        Config defaults = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config merged = defaults;
        if (userFileText != null) {
            try {
                merged = ConfigFactory.parseString(userFileText,
                        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)).withFallback(merged);
            } catch (ConfigException.Parse e) {
                throw new ConfigError("config file is not valid HOCON: " + e.getMessage());
            }
        }
        for (String key : overrides.keySet()) {
            if (!defaults.hasPath(key)) {
                throw new ConfigError("unknown config key '" + key + "' in --set; known keys: " + defaults.root().keySet());
            }
        }
        merged = ConfigFactory.parseMap(overrides, "--set").withFallback(merged);
        return new JobConfig(merged.resolve());
    }

    /** Parses {@code key=value} strings as given to {@code --set}. */
    public static Map<String, String> parseOverrides(Iterable<String> pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ConfigError("--set expects key=value, got '" + pair + "'");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return out;
    }

    /** Rebuilds a configuration saved with {@link #toJson()} (e.g. from a checkpoint). */
    public static JobConfig fromJson(String json) {
        return load(json, Map.of());
    }

    /** The effective configuration as JSON: printed at start and saved in checkpoints. */
    public String toJson() {
        return rendered;
    }

    /** One {@code key = value} line per key, sorted, for the start-up log. */
    public String describe() {
        Config c = ConfigFactory.parseString(rendered);
        Map<String, ConfigValue> sorted = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            sorted.put(e.getKey(), e.getValue());
        }
        StringBuilder sb = new StringBuilder();
        sorted.forEach((k, v) -> sb.append("  ").append(k).append(" = ").append(v.unwrapped()).append('\n'));
        return sb.toString();
    }

    /** The learning rate in effect during a 1-based epoch (step decay). */
    public double learningRateAt(int epoch) {
        if (lrDecayEvery == 0) {
            return learningRate;
        }
        return learningRate * Math.pow(lrDecayFactor, (epoch - 1) / lrDecayEvery);
    }

    /** Reads typed values, naming the key in every error, and remembers which keys were read. */
    private static final class Reader {
        private final Config c;
        private final Set<String> read = new java.util.HashSet<>();

        Reader(Config c) {
            this.c = c;
        }

        private <T> T get(String key, java.util.function.Function<String, T> getter, String type) {
            read.add(key);
            try {
                return getter.apply(key);
            } catch (ConfigException.Missing e) {
                throw new ConfigError("config key '" + key + "' is missing");
            } catch (ConfigException.WrongType e) {
                throw new ConfigError("config key '" + key + "' must be " + type + " (got '" + raw(key) + "')");
            }
        }

        private String raw(String key) {
            return String.valueOf(c.getValue(key).unwrapped());
        }

        int intIn(String key, int min, int max) {
            int v = get(key, c::getInt, "an integer");
            if (v < min || v > max) {
                throw new ConfigError("config key '" + key + "' must be in [" + min + ", " + max + "] (got " + v + ")");
            }
            return v;
        }

        long longAny(String key) {
            return get(key, c::getLong, "an integer");
        }

        double doubleIn(String key, double min, double max) {
            double v = get(key, c::getDouble, "a number");
            if (!(v >= min && v <= max)) {
                throw new ConfigError("config key '" + key + "' must be in [" + min + ", " + max + "] (got " + v + ")");
            }
            return v;
        }

        boolean bool(String key) {
            return get(key, c::getBoolean, "true or false");
        }

        <E extends Enum<E>> E enumOf(String key, Class<E> type) {
            String v = get(key, c::getString, "a string");
            try {
                return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigError("config key '" + key + "' must be one of "
                        + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + " (got '" + v + "')");
            }
        }

        void rejectUnknownKeys() {
            for (String key : c.root().keySet()) {
                if (!read.contains(key)) {
                    throw new ConfigError("unknown config key '" + key + "'; known keys: " + new java.util.TreeSet<>(read));
                }
            }
        }
    }
}
