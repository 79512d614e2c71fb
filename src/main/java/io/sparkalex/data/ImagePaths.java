package io.sparkalex.data;

import org.apache.hadoop.fs.Path;

/**
 * Resolves a CSV {@code filename} under the image root, refusing anything that could reach
 * outside it: absolute paths, {@code ..} segments, other URI schemes, and backslash tricks.
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
        return new Path(root, name);
    }
}
