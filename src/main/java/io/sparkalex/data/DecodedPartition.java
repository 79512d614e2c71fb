package io.sparkalex.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What one decode task returns to the driver: its batch files and its row report.
 * A plain class, not a record: Spark's Kryo cannot serialize records.
 */
final class DecodedPartition implements Serializable {
    private static final long serialVersionUID = 1L;
    private final ArrayList<BatchFile> batches;
    private final DataReport report;

    DecodedPartition(List<BatchFile> batches, DataReport report) {
        this.batches = new ArrayList<>(batches);
        this.report = report;
    }

    List<BatchFile> batches() {
        return batches;
    }

    DataReport report() {
        return report;
    }
}
