package io.sparkalex.data;

/**
 * The input data cannot be trained on: a malformed CSV, an empty split, too many unusable images.
 * The message names the file, row or value; the command line turns it into the data-error exit code.
 */
public final class DataError extends RuntimeException {
    public DataError(String message) {
        super(message);
    }
}
