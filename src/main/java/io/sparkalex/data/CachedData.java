package io.sparkalex.data;

import java.util.Map;

/** Every non-empty split in the image cache, in train, val, test order. */
public record CachedData(Map<String, CachedSplit> splits) {
    public CachedSplit split(String name) {
        return splits.get(name);
    }

    /** The row reports of all splits merged. */
    public DataReport overall() {
        DataReport all = new DataReport();
        splits.values().forEach(s -> all.merge(s.report()));
        return all;
    }
}
