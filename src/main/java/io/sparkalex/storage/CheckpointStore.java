package io.sparkalex.storage;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * {@code latest.zip} and {@code best.zip} in the output directory, on any Hadoop FileSystem,
 * each written atomically ({@link AtomicFiles}). The zip is DL4J's model format, entry for entry
 * ({@code configuration.json}, {@code coefficients.bin}, {@code updaterState.bin}), so
 * {@code ModelSerializer.restoreMultiLayerNetwork} reads it, plus {@value #STATE_ENTRY} with the
 * {@link TrainingState}, stored first so it can be read without the parameters.
 *
 * <p>Written here rather than by {@code ModelSerializer.writeModel} because that deflates the
 * parameters, which are nearly incompressible floats: for the full AlexNet with Adam that is CPU
 * time for nothing (bench/README.md); stored uncompressed, writing is bound by the disk or network.
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
        AtomicFiles.write(fs, path(name), out -> writeZip(out, network, state));
    }

    /** Copies one checkpoint over another (e.g. latest over best) without re-serializing. */
    public void copy(String from, String to) throws IOException {
        try (InputStream in = fs.open(path(from))) {
            AtomicFiles.write(fs, path(to), in::transferTo);
        }
    }

    static void writeZip(OutputStream target, MultiLayerNetwork network, TrainingState state) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(target, 1 << 20));
        zip.setLevel(Deflater.NO_COMPRESSION);
        zip.putNextEntry(new ZipEntry(STATE_ENTRY));
        zip.write(Json.pretty(state).getBytes(StandardCharsets.UTF_8));
        zip.putNextEntry(new ZipEntry(ModelSerializer.CONFIGURATION_JSON));
        zip.write(network.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
        DataOutputStream data = new DataOutputStream(zip);
        zip.putNextEntry(new ZipEntry(ModelSerializer.COEFFICIENTS_BIN));
        Nd4j.write(network.params(), data);
        data.flush();
        INDArray updater = network.getUpdater().getStateViewArray();
        if (updater != null && updater.length() > 0) {
            zip.putNextEntry(new ZipEntry(ModelSerializer.UPDATER_BIN));
            Nd4j.write(updater, data);
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
        if (!exists(name)) {
            return Optional.empty();
        }
        try (ZipInputStream zip = new ZipInputStream(fs.open(path(name)))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals(STATE_ENTRY)) {
                    return Optional.of(Json.read(new String(zip.readAllBytes(), StandardCharsets.UTF_8),
                            TrainingState.class));
                }
            }
        }
        throw new IOException(path(name) + " is a DL4J model but not a sparkalex checkpoint (no " + STATE_ENTRY + ")");
    }

    public Optional<Checkpoint> load(String name) throws IOException {
        Optional<TrainingState> state = readState(name);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        java.nio.file.Path local = Files.createTempFile("sparkalex-ckpt-", ".zip");
        try {
            try (InputStream in = fs.open(path(name))) {
                Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return Optional.of(new Checkpoint(ModelSerializer.restoreMultiLayerNetwork(local.toFile(), true),
                    state.get()));
        } finally {
            Files.deleteIfExists(local);
        }
    }

    public Path path(String name) {
        return new Path(dir, name);
    }
}
