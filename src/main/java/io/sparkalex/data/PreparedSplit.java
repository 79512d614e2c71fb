package io.sparkalex.data;

import java.util.List;

/** A split decoded into minibatch files on the work directory. */
public record PreparedSplit(String name, List<BatchFile> batches, DataReport report) {
    public long examples() {
        return batches.stream().mapToLong(BatchFile::examples).sum();
    }

    public List<String> paths() {
        return batches.stream().map(BatchFile::path).toList();
    }
}
