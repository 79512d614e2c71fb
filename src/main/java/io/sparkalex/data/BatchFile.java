package io.sparkalex.data;

import java.io.Serializable;

/**
 * One minibatch written by an executor: where it lies and how many examples it holds.
 * A plain class, not a record: Spark's Kryo cannot serialize records.
 */
public final class BatchFile implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final int examples;

    public BatchFile(String path, int examples) {
        this.path = path;
        this.examples = examples;
    }

    public String path() {
        return path;
    }

    public int examples() {
        return examples;
    }
}
