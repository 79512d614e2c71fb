package io.sparkalex.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Writes files on any Hadoop FileSystem so that readers only ever see the old or the new
 * version, and the old one is never gone before the new one is whole:
 * <ul>
 *   <li>where rename is atomic (local disk, HDFS): write to a hidden temporary name in the same
 *       directory, then rename over the target ({@code rename(OVERWRITE)}, atomic in the NameNode;
 *       POSIX {@code rename(2)} on local disk, followed by a sync of the directory entry). A crash
 *       mid-write leaves only a {@code _tmp-*} file, which {@link #cleanTemporaries} removes;
 *   <li>on object stores (s3a, gs, abfs, ...), where a rename is a copy and a delete that can
 *       stop half-way: write the final object directly. An object appears only when its upload
 *       completes on {@code close()}, and replaces the old one in one step; a write that fails is
 *       aborted ({@code Abortable}: nothing is uploaded), which leaves the old object as it was.
 * </ul>
 */
public final class AtomicFiles {
    private static final String TMP_PREFIX = "_tmp-";

    /** Writes the content of one file; may throw, in which case the target is untouched. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** The file system of a path, without checksum side files on local disk. */
    public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    public static void write(FileSystem fs, Path target, Writer writer) throws IOException {
        write(fs, target, writer, true);
    }

    /**
     * As {@link #write(FileSystem, Path, Writer)}; {@code durable = false} skips the sync to disk,
     * for scratch files a crashed run never reads again (readers still see whole files only).
     */
    public static void write(FileSystem fs, Path target, Writer writer, boolean durable) throws IOException {
        if (!renamesAtomically(fs.getUri().getScheme())) {
            FSDataOutputStream out = fs.create(target, true);
            try {
                writer.write(out);
            } catch (IOException | RuntimeException e) {
                // close() would upload what was written so far over the old object: abort instead.
                try {
                    out.abort();
                } catch (UnsupportedOperationException notAbortable) {
                    e.addSuppressed(notAbortable);
                }
                throw e;
            }
            out.close();
            return;
        }
        Path tmp = new Path(target.getParent(), TMP_PREFIX + UUID.randomUUID() + "-" + target.getName());
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                writer.write(out);
                if (durable) {
                    out.hsync();
                }
            }
            replace(fs, tmp, target);
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }

    public static void writeString(FileSystem fs, Path target, String text) throws IOException {
        write(fs, target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether a file system's rename replaces a file in one step: local disk, HDFS and the
     * file systems layered on them; not the object stores, whose connectors copy and delete.
     */
    public static boolean renamesAtomically(String scheme) {
        return !OBJECT_STORES.contains(scheme == null ? "file" : scheme.toLowerCase(java.util.Locale.ROOT));
    }

    private static final java.util.Set<String> OBJECT_STORES = java.util.Set.of("s3a", "s3", "s3n", "gs", "abfs",
            "abfss", "wasb", "wasbs", "oss", "cos", "cosn", "obs", "ks3");

    static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
        if ("file".equals(fs.getUri().getScheme())) {
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
            syncDirectory(fs, target.getParent());
        } else {
            FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
        }
    }

    /** Makes a rename in a local directory survive a power cut: fsync the directory itself (Linux). */
    private static void syncDirectory(FileSystem fs, Path dir) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                java.nio.file.Paths.get(fs.makeQualified(dir).toUri()), java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory for sync; the rename itself has happened.
        }
    }

    public static String readString(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Removes temporaries a crashed writer left in {@code dir}. */
    public static void cleanTemporaries(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        for (var status : fs.listStatus(dir, p -> p.getName().startsWith(TMP_PREFIX))) {
            fs.delete(status.getPath(), false);
        }
    }
}
