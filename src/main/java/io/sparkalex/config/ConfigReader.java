package io.sparkalex.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.Locale;
import java.util.Set;

/** Reads typed values, naming the key in every error, and remembers which keys were read. */
final class ConfigReader {
    private final Config c;
    private final Set<String> read = new java.util.HashSet<>();

    ConfigReader(Config c) {
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
        return within(key, get(key, c::getInt, "an integer"), min, max);
    }

    long longIn(String key, long min, long max) {
        return within(key, get(key, c::getLong, "an integer"), min, max);
    }

    long longAny(String key) {
        return get(key, c::getLong, "an integer");
    }

    double doubleIn(String key, double min, double max) {
        return within(key, get(key, c::getDouble, "a number"), min, max);
    }

    /** {@code v} if it lies in {@code [min, max]} (a NaN does not: it compares above every number). */
    private static <T extends Comparable<T>> T within(String key, T v, T min, T max) {
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new ConfigError("config key '" + key + "' must be in [" + min + ", " + max + "] (got " + v + ")");
        }
        return v;
    }

    String string(String key) {
        return get(key, c::getString, "a string");
    }

    PortRange ports(String key) {
        String v = get(key, c::getString, "a port range");
        try {
            return PortRange.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigError("config key '" + key + "': " + e.getMessage());
        }
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
