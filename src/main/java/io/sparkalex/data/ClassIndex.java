package io.sparkalex.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classes the network predicts: the sorted set of training labels (WordNet ids), each with an
 * optional human-readable name ({@link Synsets}). Output unit i is {@code ids().get(i)}.
 */
public final class ClassIndex implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> ids;
    private final Map<String, String> names;

    public ClassIndex(List<String> ids, Map<String, String> names) {
        List<String> sorted = new ArrayList<>(ids);
        Collections.sort(sorted);
        this.ids = List.copyOf(sorted);
        Map<String, String> kept = new LinkedHashMap<>();
        for (String id : this.ids) {
            kept.put(id, names.getOrDefault(id, id));
        }
        this.names = Collections.unmodifiableMap(kept);
    }

    public List<String> ids() {
        return ids;
    }

    public int size() {
        return ids.size();
    }

    /** label id -> output index, for executors. */
    public Map<String, Integer> indexById() {
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            map.put(ids.get(i), i);
        }
        return map;
    }

    public Map<String, String> namesById() {
        return names;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassIndex other && other.ids.equals(ids);
    }

    @Override
    public int hashCode() {
        return ids.hashCode();
    }
}
