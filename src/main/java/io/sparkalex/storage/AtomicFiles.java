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
 * version: write to a hidden temporary name in the same directory, then rename over the target.
 * On HDFS that is {@code rename(OVERWRITE)}, atomic in the NameNode; on local disk it is POSIX
 * {@code rename(2)}, which replaces the target atomically. A crash mid-write leaves only a
 * {@code _tmp-*} file behind, which {@link #cleanTemporaries} removes.
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

    static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
        if ("file".equals(fs.getUri().getScheme())) {
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename " + tmp + " -> " + target + " failed");
            }
        } else {
            FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
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
