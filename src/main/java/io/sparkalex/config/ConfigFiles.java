package io.sparkalex.config;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A user's config file read from any Hadoop URI, for {@link JobConfig#load}: {@code --conf} and the Estimator's {@code configFile}. */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /** The file's text; null for none. One that cannot be read is a {@link ConfigError} naming it as {@code what}. */
    public static String read(String uri, String what, Configuration hadoop) {
        if (uri == null || uri.isBlank()) {
            return null;
        }
        Path path = new Path(uri);
        try (InputStream in = path.getFileSystem(hadoop).open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigError("cannot read " + what + " " + uri + ": " + e.getMessage());
        }
    }
}
