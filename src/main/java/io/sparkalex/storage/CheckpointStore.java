package io.sparkalex.storage;

import io.sparkalex.nd4j.ArrayStreams;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * {@code latest.zip} and {@code best.zip} in the output directory, on any Hadoop FileSystem,
 * each written atomically ({@link AtomicFiles}). The zip is DL4J's model format, entry for entry
 * ({@code configuration.json}, {@code coefficients.bin}, {@code updaterState.bin}), so
 * {@code ModelSerializer.restoreMultiLayerNetwork} reads it with no class of this project on the
 * classpath (the configuration names DL4J's layers, as the caller gives it), plus {@value #STATE_ENTRY} with the
 * {@link TrainingState}, stored first so it can be read without the parameters.
 *
 * <p>Written here rather than by {@code ModelSerializer.writeModel} because that deflates the
 * parameters, which are nearly incompressible floats: for the full AlexNet with Adam that is CPU
 * time for nothing (bench/NOTES.md); stored uncompressed, writing is bound by the disk or network.
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

    /**
     * Writes checkpoint {@code name}: {@code network}'s parameters and optimizer state, its
     * configuration as {@code configurationJson} (the JSON DL4J's {@code ModelSerializer} reads back:
     * stock layer classes, {@code PortableConfiguration.stockJson}) and {@code state}.
     */
    public void save(String name, MultiLayerNetwork network, String configurationJson, TrainingState state)
            throws IOException {
        AtomicFiles.write(fs, path(name), out -> writeZip(out, network, configurationJson, state));
    }

    /** Copies one checkpoint over another (e.g. latest over best) without re-serializing. */
    public void copy(String from, String to) throws IOException {
        try (InputStream in = fs.open(path(from))) {
            AtomicFiles.write(fs, path(to), in::transferTo);
        }
    }

    static void writeZip(OutputStream target, MultiLayerNetwork network, String configurationJson, TrainingState state)
            throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(target, 1 << 20));
        zip.setLevel(Deflater.NO_COMPRESSION);
        zip.putNextEntry(new ZipEntry(STATE_ENTRY));
        zip.write(Json.pretty(state).getBytes(StandardCharsets.UTF_8));
        zip.putNextEntry(new ZipEntry(ModelSerializer.CONFIGURATION_JSON));
        zip.write(configurationJson.getBytes(StandardCharsets.UTF_8));
        DataOutputStream data = new DataOutputStream(zip);
        zip.putNextEntry(new ZipEntry(ModelSerializer.COEFFICIENTS_BIN));
        ArrayStreams.write(network.params(), data);
        data.flush();
        INDArray updater = network.getUpdater().getStateViewArray();
        if (updater != null && updater.length() > 0) {
            zip.putNextEntry(new ZipEntry(ModelSerializer.UPDATER_BIN));
            ArrayStreams.write(updater, data);
            data.flush();
        }
        zip.finish();
        zip.flush();
    }

    public boolean exists(String name) throws IOException {
        return fs.exists(path(name));
    }

    /** The training state alone (the first entry), or empty when there is no such checkpoint. */
    public Optional<TrainingState> readState(String name) throws IOException {
        return exists(name) ? Optional.of(readState(fs, path(name))) : Optional.empty();
    }

    public Optional<Checkpoint> load(String name) throws IOException {
        return exists(name) ? Optional.of(read(fs, path(name))) : Optional.empty();
    }

    /** The training state of the checkpoint at {@code path}, read without its parameters. */
    public static TrainingState readState(FileSystem fs, Path path) throws IOException {
        return Json.read(readEntry(fs, path, STATE_ENTRY), TrainingState.class);
    }

    /** The network's DL4J configuration (JSON) of the checkpoint at {@code path}, read without its parameters. */
    public static String readConfiguration(FileSystem fs, Path path) throws IOException {
        return readEntry(fs, path, ModelSerializer.CONFIGURATION_JSON);
    }

    private static String readEntry(FileSystem fs, Path path, String entry) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(fs.open(path))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals(entry)) {
                    return new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(path + " is not a model zip: " + e.getMessage(), e);
        }
        throw new IOException(path + (entry.equals(STATE_ENTRY)
                ? " is a DL4J model but not a sparkalex checkpoint (no " + STATE_ENTRY + ")"
                : " has no " + entry + ": not a DL4J model"));
    }

    /**
     * The entries a checkpoint may hold: the ones {@link #writeZip} writes. DL4J's reader would also
     * deserialise a {@code preprocessor.bin} or a normalizer with Java serialisation, which runs
     * code named by the file: a zip from elsewhere ({@code --warm-start}, the promoted model,
     * {@code --model}) is data, so any other entry refuses it before DL4J opens it.
     */
    static final Set<String> ENTRIES = Set.of(STATE_ENTRY, ModelSerializer.CONFIGURATION_JSON,
            ModelSerializer.COEFFICIENTS_BIN, ModelSerializer.UPDATER_BIN);

    /** Refuses a zip with an entry the job never writes (see {@link #ENTRIES}), naming it. */
    static void checkEntries(java.nio.file.Path zip, Path shown) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            for (var e = z.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!ENTRIES.contains(name)) {
                    throw new IOException(Uris.redact(shown.toString()) + " holds the entry '" + name
                            + "', which this job never writes (DL4J would read it as a Java-serialised object); "
                            + "refused without reading it");
                }
            }
        }
    }

    /** The checkpoint at {@code path}, any Hadoop URI (DL4J reads models from local files only). */
    public static Checkpoint read(FileSystem fs, Path path) throws IOException {
        TrainingState state = readState(fs, path);
        java.nio.file.Path local = Files.createTempFile("sparkalex-ckpt-", ".zip");
        try {
            try (InputStream in = fs.open(path)) {
                Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            checkEntries(local, path);
            return new Checkpoint(ModelSerializer.restoreMultiLayerNetwork(local.toFile(), true), state);
        } finally {
            Files.deleteIfExists(local);
        }
    }

    /**
     * Rewrites the training state of checkpoint {@code name} (e.g. to add its test metrics),
     * copying every other entry as it is; atomically, like every write here.
     */
    public void updateState(String name, UnaryOperator<TrainingState> change) throws IOException {
        TrainingState state = change.apply(readState(fs, path(name)));
        // The old file is read to its end into the temporary before the rename replaces it.
        try (InputStream in = fs.open(path(name))) {
            AtomicFiles.write(fs, path(name), out -> copyReplacingState(in, out, state));
        }
    }

    private static void copyReplacingState(InputStream source, OutputStream target, TrainingState state)
            throws IOException {
        ZipInputStream in = new ZipInputStream(source);
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(target, 1 << 20));
        zip.setLevel(Deflater.NO_COMPRESSION);
        for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
            zip.putNextEntry(new ZipEntry(e.getName()));
            if (e.getName().equals(STATE_ENTRY)) {
                zip.write(Json.pretty(state).getBytes(StandardCharsets.UTF_8));
            } else {
                in.transferTo(zip);
            }
        }
        zip.finish();
        zip.flush();
    }

    public Path path(String name) {
        return new Path(dir, name);
    }
}
