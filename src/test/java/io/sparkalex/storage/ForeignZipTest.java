package io.sparkalex.storage;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import io.sparkalex.train.SavedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model zip from outside the run is data, not code: an entry the job never writes (DL4J would
 * deserialise a {@code preprocessor.bin} with Java serialisation) refuses the zip before anything
 * reads it, and its saved configuration is plain JSON (no HOCON includes or substitutions).
 */
class ForeignZipTest {
    static final Path FIXTURE = CheckpointCompatibilityTest.FIXTURES.resolve("003613e/latest.zip");
    @TempDir
    Path tmp;

    /** Creates its file when deserialised: the proof that a reader ran code from the zip. */
    static final class MarkerOnRead implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String marker;

        MarkerOnRead(String marker) {
            this.marker = marker;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            Files.writeString(Path.of(marker), "deserialised");
        }
    }

    /** The fixture's entries plus {@code extra}, holding a serialised {@link MarkerOnRead}. */
    private Path withEntry(String extra, Path marker) throws IOException {
        Path zip = tmp.resolve("crafted.zip");
        try (ZipFile in = new ZipFile(FIXTURE.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (var e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.getInputStream(entry).transferTo(out);
            }
            out.putNextEntry(new ZipEntry(extra));
            ObjectOutputStream objects = new ObjectOutputStream(out);
            objects.writeObject(new MarkerOnRead(marker.toString()));
            objects.flush();
        }
        return zip;
    }

    @Test
    void aZipWithASerialisedPreprocessorIsRefusedUnread() throws Exception {
        Path marker = tmp.resolve("marker");
        Path zip = withEntry("preprocessor.bin", marker);
        ConfigError e = assertThrows(ConfigError.class, () -> SavedModels.load(zip.toUri().toString(),
                new org.apache.hadoop.conf.Configuration()));
        assertTrue(e.getMessage().contains("'preprocessor.bin'"), e.getMessage());
        assertFalse(Files.exists(marker), "nothing of the zip was deserialised");
        assertEquals(2, io.sparkalex.cli.ExitCode.of(e), "a usage error: the --model given is not one of ours");
    }

    @Test
    void theFixtureItselfLoads() throws Exception {
        assertEquals(2, SavedModels.load(FIXTURE.toUri().toString(), new org.apache.hadoop.conf.Configuration())
                .state().epoch());
    }

    @Test
    void aSavedConfigurationIsPlainJson() {
        assertThrows(ConfigError.class, () -> JobConfig.fromJson("include url(\"file:///etc/hostname\")"));
        assertThrows(ConfigError.class, () -> JobConfig.fromJson("{\"cache_dir\": ${HOME}}"));
        assertEquals("${HOME}", JobConfig.fromJson("{\"cache_dir\": \"${HOME}\"}").cacheDir,
                "a string, not a substitution");
    }
}
