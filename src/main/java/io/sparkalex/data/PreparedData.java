package io.sparkalex.data;

import java.util.Map;

/** Every non-empty split decoded into minibatch files, in train, val, test order. */
public record PreparedData(Map<String, PreparedSplit> splits) {
    public PreparedSplit split(String name) {
        return splits.get(name);
    }

    /** The row reports of all splits merged. */
    public DataReport overall() {
        DataReport all = new DataReport();
        splits.values().forEach(s -> all.merge(s.report()));
        return all;
    }
}
