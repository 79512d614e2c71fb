package io.sparkalex.data;

import io.sparkalex.storage.AtomicFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

/**
 * One image file read through the Hadoop FileSystem and decoded to the square the job works on,
 * or the reason it could not be: the cache build, {@code evaluate} and {@code predict} all read
 * images here, so a file is usable, skipped or an error for the same reasons everywhere.
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** A decoded square, or why there is none ({@code square} is then null). */
    public record Loaded(BufferedImage square, SkipReason reason, String detail) {
        static Loaded skipped(SkipReason reason, String detail) {
            return new Loaded(null, reason, detail);
        }

        public boolean ok() {
            return square != null;
        }

        /** The reason as the one-line text a report or a prediction's error column shows. */
        public String error() {
            return reason.name().toLowerCase(java.util.Locale.ROOT) + (detail == null ? "" : ": " + detail);
        }
    }

    /**
     * The file system images are read from: on local disk the raw one, without Hadoop's checksum
     * layer, which looks for a {@code .crc} file beside each image (there is none) and cannot even
     * name one for a file with a colon in its name.
     */
    public static FileSystem fileSystem(Path path, Configuration hadoop) throws IOException {
        return AtomicFiles.fileSystem(path, hadoop);
    }

    /** {@code filename} from a CSV resolved under {@code root}, or null when it would leave the root ({@link ImagePaths}). */
    public static Path safePath(FileSystem fs, Path root, String filename) {
        Path path = ImagePaths.resolve(root, filename);
        return path == null || ImagePaths.linksOutside(fs, root, path) ? null : path;
    }

    /**
     * The file at {@code path} as a {@code side x side} centre square (the cache's form); a file
     * over {@code maxBytes} is skipped unread. Nothing here throws for a bad file: an image that
     * needs more memory than this JVM has left is a skip too ({@code out_of_memory}), so one file
     * cannot fail a task.
     */
    public static Loaded read(FileSystem fs, Path path, int side, long maxBytes) {
        byte[] bytes;
        try {
            long length = fs.getFileStatus(path).getLen();
            if (length > maxBytes) {
                return Loaded.skipped(SkipReason.FILE_TOO_LARGE, length + " bytes, more than max_image_bytes = "
                        + maxBytes);
            }
            try (InputStream in = fs.open(path)) {
                bytes = in.readAllBytes();
            }
        } catch (FileNotFoundException e) {
            return Loaded.skipped(SkipReason.MISSING_FILE, null);
        } catch (IOException | IllegalArgumentException e) {
            return Loaded.skipped(SkipReason.READ_ERROR, e.getMessage());
        }
        return decode(bytes, side, maxBytes);
    }

    /** An image file's bytes (read here or by Spark's {@code binaryFile} source) as {@link #read} decodes them. */
    public static Loaded decode(byte[] bytes, int side, long maxBytes) {
        if (bytes.length > maxBytes) {
            return Loaded.skipped(SkipReason.FILE_TOO_LARGE, bytes.length + " bytes, more than max_image_bytes = "
                    + maxBytes);
        }
        try {
            return new Loaded(ImageDecoder.centreSquare(ImageDecoder.decodeRgb(bytes), side), null, null);
        } catch (ImageDecoder.DecodeException e) {
            return Loaded.skipped(e.reason(), e.getMessage());
        } catch (OutOfMemoryError e) {
            return Loaded.skipped(SkipReason.OUT_OF_MEMORY, "decoding ran out of memory: " + e.getMessage());
        }
    }

    /** An image already decoded to RGB (Spark's {@code image} source) as the same centre square. */
    public static Loaded square(BufferedImage rgb, int side) {
        return new Loaded(ImageDecoder.centreSquare(rgb, side), null, null);
    }
}
