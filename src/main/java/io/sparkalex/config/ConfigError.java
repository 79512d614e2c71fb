package io.sparkalex.config;

/** A configuration or usage mistake the user can fix: the message names the key or flag. */
public final class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message);
    }
}
