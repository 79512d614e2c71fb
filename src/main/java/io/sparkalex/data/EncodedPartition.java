package io.sparkalex.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What one cache-building task returns to the driver: its shards and its row report.
 * A plain class, not a record: Spark's Kryo cannot serialize records.
 */
final class EncodedPartition implements Serializable {
    private static final long serialVersionUID = 1L;
    private final ArrayList<ShardInfo> shards;
    private final DataReport report;

    EncodedPartition(List<ShardInfo> shards, DataReport report) {
        this.shards = new ArrayList<>(shards);
        this.report = report;
    }

    List<ShardInfo> shards() {
        return shards;
    }

    DataReport report() {
        return report;
    }
}
