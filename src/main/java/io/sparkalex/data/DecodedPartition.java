package io.sparkalex.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What one decode task returns to the driver: its batch files, its row report and its decode time.
 * A plain class, not a record: Spark's Kryo cannot serialize records.
 */
public final class DecodedPartition implements Serializable {
    private static final long serialVersionUID = 1L;
    private final ArrayList<BatchFile> batches;
    private final DataReport report;
    private final long decodeNanos;

    public DecodedPartition(List<BatchFile> batches, DataReport report, long decodeNanos) {
        this.batches = new ArrayList<>(batches);
        this.report = report;
        this.decodeNanos = decodeNanos;
    }

    public List<BatchFile> batches() {
        return batches;
    }

    public DataReport report() {
        return report;
    }

    public long decodeNanos() {
        return decodeNanos;
    }
}
