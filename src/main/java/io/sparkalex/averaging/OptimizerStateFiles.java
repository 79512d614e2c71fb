package io.sparkalex.averaging;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.sparkalex.nd4j.RawNdArraySerializer;
import io.sparkalex.storage.AtomicFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Optimizer state (Adam's moments, momentum) exchanged through files in a directory on the job's
 * output file system, instead of through Spark's broadcasts and task results.
 *
 * <p>With resident worker networks ({@link ResidentAveragingMaster}) the state stays on the
 * workers; it only has to reach the driver once per epoch (for the checkpoint) and a worker only
 * needs one when it builds a new network (first round, or a replaced executor). Files keep those
 * two rare transfers out of every round's broadcast and task result, and stream in 1 MiB blocks,
 * so neither side needs heap for them. Files are replaced atomically ({@link AtomicFiles}), not
 * synced to disk.
 */
final class OptimizerStateFiles {
    private static final String PUBLISHED = "average-";
    private static final String WORKER_PREFIX = "worker-";
    private static final int BUFFER = 1 << 20;
    private static final RawNdArraySerializer FORMAT = new RawNdArraySerializer();

    private final FileSystem fs;
    private final Path dir;

    OptimizerStateFiles(String dir, Configuration hadoop) throws IOException {
        this.dir = new Path(dir);
        this.fs = AtomicFiles.fileSystem(this.dir, hadoop);
    }

    /** The state every new worker network of {@code run} starts from. */
    void publish(String run, INDArray state) throws IOException {
        write(new Path(dir, PUBLISHED + run + ".bin"), state);
    }

    Optional<INDArray> published(String run) throws IOException {
        Path p = new Path(dir, PUBLISHED + run + ".bin");
        return fs.exists(p) ? Optional.of(read(p)) : Optional.empty();
    }

    /**
     * One worker's state at the end of {@code run}'s {@code epoch}, named by all three: a retried or
     * speculative task overwrites its own partition's file, and a late task of another epoch or run
     * writes a name the average does not read.
     */
    void writeWorker(String run, int epoch, int partition, INDArray state) throws IOException {
        write(new Path(dir, workerPrefix(run, epoch) + partition + ".bin"), state);
    }

    private static String workerPrefix(String run, int epoch) {
        return WORKER_PREFIX + run + "-e" + epoch + "-p";
    }

    /**
     * The mean of the files {@code run}'s workers wrote at the end of {@code epoch}, divided by
     * how many there are, and then deleted with any stale worker file; empty if no worker wrote
     * one. Reads one file at a time into a running sum.
     */
    Optional<INDArray> averageWorkers(String run, int epoch) throws IOException {
        if (!fs.exists(dir)) {
            return Optional.empty();
        }
        String prefix = workerPrefix(run, epoch);
        for (FileStatus stale : fs.listStatus(dir, p -> p.getName().startsWith(WORKER_PREFIX)
                && !p.getName().startsWith(prefix))) {
            fs.delete(stale.getPath(), false);
        }
        FileStatus[] files = fs.listStatus(dir, p -> p.getName().startsWith(prefix));
        Arrays.sort(files);
        INDArray sum = null;
        for (FileStatus f : files) {
            INDArray s = read(f.getPath());
            if (sum == null) {
                sum = s;
            } else if (!Arrays.equals(sum.shape(), s.shape())) {
                throw new IOException("optimizer state " + f.getPath() + " has shape " + Arrays.toString(s.shape())
                        + ", expected " + Arrays.toString(sum.shape()));
            } else {
                sum.addi(s);
            }
        }
        for (FileStatus f : files) {
            fs.delete(f.getPath(), false);
        }
        return sum == null ? Optional.empty() : Optional.of(sum.divi(files.length));
    }

    private void write(Path file, INDArray state) throws IOException {
        fs.mkdirs(dir);
        // No sync to disk: these are scratch files of the running job (a restarted run resumes
        // from the checkpoint and deletes _work), and syncing the full network's state costs seconds.
        AtomicFiles.write(fs, file, out -> {
            Output o = new Output(out, BUFFER);
            FORMAT.write(null, o, state);
            o.flush();
        }, false);
    }

    private INDArray read(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return FORMAT.read(null, new Input(in, BUFFER), INDArray.class);
        }
    }
}
