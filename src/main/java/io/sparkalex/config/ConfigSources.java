package io.sparkalex.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a configuration's values come from, lowest first: the packed defaults
 * ({@code conf/train.conf}), a user's HOCON file, then {@code --set key=value} pairs; a key the
 * defaults do not have is an error, not a silent no-op.
 */
final class ConfigSources {
    private ConfigSources() {
    }

    /** The three sources merged and resolved; the user's file is HOCON. */
    static Config merged(String userFileText, Map<String, String> overrides) {
        return merged(userFileText, ConfigSyntax.CONF, overrides);
    }

    /**
     * The same, the user's text in {@code syntax}: a configuration saved in a checkpoint is read as
     * plain JSON, where HOCON's {@code include} and {@code ${...}} substitutions do not exist (a zip
     * from elsewhere must not make the job read a URL or the environment).
     */
    static Config merged(String userFileText, ConfigSyntax syntax, Map<String, String> overrides) {
        Config defaults = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), JobConfig.DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config merged = defaults;
        if (userFileText != null) {
            try {
                merged = ConfigFactory.parseString(userFileText,
                        ConfigParseOptions.defaults().setSyntax(syntax).setAllowMissing(false)).withFallback(merged);
            } catch (ConfigException.Parse e) {
                throw new ConfigError((syntax == ConfigSyntax.JSON ? "saved configuration is not plain JSON: "
                        : "config file is not valid HOCON: ") + e.getMessage());
            }
        }
        for (String key : overrides.keySet()) {
            if (!defaults.hasPath(key)) {
                throw new ConfigError("unknown config key '" + key + "' in --set; known keys: " + defaults.root().keySet());
            }
        }
        return ConfigFactory.parseMap(overrides, "--set").withFallback(merged).resolve();
    }

    /** Parses {@code key=value} strings as given to {@code --set}. */
    static Map<String, String> parseOverrides(Iterable<String> pairs) {
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
}
