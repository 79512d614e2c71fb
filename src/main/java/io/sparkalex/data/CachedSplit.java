package io.sparkalex.data;

import java.util.List;

/**
 * A split in the image cache: the folder of its shards (a URI), the shards, and what happened
 * to its CSV rows (the bad ones are counted once, when the cache is built).
 */
public record CachedSplit(String name, String dir, List<ShardInfo> shards, DataReport report) {
    public long examples() {
        return shards.stream().mapToLong(ShardInfo::images).sum();
    }
}
