package io.sparkalex.data;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.Paths;

/**
 * Keeps every image the job opens inside the image root. A CSV comes from users and may name
 * anything; the job must never read {@code /etc/passwd} or another tenant's bucket because a row
 * says so. Names are checked as text first (absolute paths, {@code ..} and {@code .} segments,
 * other URI schemes, backslashes, NUL); on local disk a symbolic link that leads out of the root
 * is refused too.
 */
public final class ImagePaths {
    private ImagePaths() {
    }

    /** The resolved path, or null when the name is not a safe relative path. */
    public static Path resolve(Path root, String filename) {
        if (filename == null || filename.isBlank()) {
            return null;
        }
        String name = filename.trim();
        if (name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0
                || name.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return null;
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return null;
            }
        }
        // Hadoop's (scheme, authority, path) constructor reads the name as a path only: a colon in
        // it ("n01440764_1:2.JPEG") is not taken for a URI scheme, and '%' or spaces are not escapes.
        return new Path(root, new Path(null, null, name));
    }

    /**
     * Whether {@code file}, a path {@link #resolve} returned, is a symbolic link (or lies under
     * one) that leads outside {@code root}. Only local file systems are checked: HDFS disables
     * symbolic links by default and object stores have none. A file that does not exist is not
     * outside: opening it reports it missing.
     */
    public static boolean linksOutside(FileSystem fs, Path root, Path file) {
        if (!"file".equals(fs.getUri().getScheme())) {
            return false;
        }
        try {
            java.nio.file.Path realRoot = Paths.get(fs.makeQualified(root).toUri()).toRealPath();
            return !Paths.get(fs.makeQualified(file).toUri()).toRealPath().startsWith(realRoot);
        } catch (IOException e) {
            return false;
        }
    }
}
