package io.sparkalex.storage;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipFile;

/**
 * {@code latest.zip} and {@code best.zip} in the output directory, on any Hadoop FileSystem.
 * Each is a standard DL4J model zip (so {@code ModelSerializer.restoreMultiLayerNetwork} reads
 * it) with the updater state and one extra entry, {@value #STATE_ENTRY}, holding the
 * {@link TrainingState}. The zip is built in a local temporary file and then copied over
 * atomically, so a crash never leaves a half-written checkpoint.
 */
public final class CheckpointStore {
    public static final String LATEST = "latest.zip";
    public static final String BEST = "best.zip";
    public static final String STATE_ENTRY = "sparkalex-state.json";

    /** A network and the state saved with it. */
    public record Checkpoint(MultiLayerNetwork network, TrainingState state) {
    }

    private final FileSystem fs;
    private final Path dir;

    public CheckpointStore(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    public void save(String name, MultiLayerNetwork network, TrainingState state) throws IOException {
        java.nio.file.Path local = Files.createTempFile("sparkalex-ckpt-", ".zip");
        try {
            ModelSerializer.writeModel(network, local.toFile(), true);
            try (var zip = java.nio.file.FileSystems.newFileSystem(URI.create("jar:" + local.toUri()), Map.of())) {
                Files.writeString(zip.getPath(STATE_ENTRY), Json.pretty(state), StandardCharsets.UTF_8);
            }
            AtomicFiles.upload(fs, local, new Path(dir, name));
        } finally {
            Files.deleteIfExists(local);
        }
    }

    public boolean exists(String name) throws IOException {
        return fs.exists(new Path(dir, name));
    }

    public Optional<Checkpoint> load(String name) throws IOException {
        Path path = new Path(dir, name);
        if (!fs.exists(path)) {
            return Optional.empty();
        }
        java.nio.file.Path local = Files.createTempFile("sparkalex-ckpt-", ".zip");
        try {
            try (InputStream in = fs.open(path)) {
                Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(local.toFile(), true);
            TrainingState state;
            try (ZipFile zip = new ZipFile(local.toFile())) {
                var entry = zip.getEntry(STATE_ENTRY);
                if (entry == null) {
                    throw new IOException(path + " is a DL4J model but not a sparkalex checkpoint (no " + STATE_ENTRY + ")");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    state = Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), TrainingState.class);
                }
            }
            return Optional.of(new Checkpoint(network, state));
        } finally {
            Files.deleteIfExists(local);
        }
    }

    public Path path(String name) {
        return new Path(dir, name);
    }
}
