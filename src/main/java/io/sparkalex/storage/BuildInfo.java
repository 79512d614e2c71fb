package io.sparkalex.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What the build stamped into the jar ({@code io/sparkalex/build.properties}, filled by Maven):
 * the job's version, the git commit it was built from ({@code -dirty} when the tree had
 * uncommitted changes) and the DL4J/ND4J versions it was compiled against.
 */
public record BuildInfo(String version, String gitCommit, String dl4jVersion, String nd4jBackend) {
    private static final String RESOURCE = "/io/sparkalex/build.properties";
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String commit = value(p, "git.commit");
        if (!commit.equals("unknown") && "true".equals(p.getProperty("git.dirty"))) {
            commit += "-dirty";
        }
        return new BuildInfo(value(p, "version"), commit, value(p, "dl4j.version"), value(p, "nd4j.backend"));
    }

    /** A value Maven filled in, or "unknown" (a build without git, or classes run outside Maven). */
    private static String value(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v;
    }
}
