package io.sparkalex.data;

import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of the image cache, written last: a cache without one is incomplete.
 * Its key says what the cache was built from; a run whose key differs rebuilds the cache.
 */
public record CacheManifest(Key key, List<String> classes, String build, Map<String, SplitEntry> splits,
                            String createdAt) {
    /** Bumped whenever the shard layout or the image processing changes. */
    public static final int FORMAT_VERSION = 1;

    /** Everything the cached bytes depend on. */
    public record Key(int formatVersion, String csvSha256, String imageRoot, int resizeSize, float jpegQuality) {
    }

    /** One split: its shards (in {@code <build>/<split>/}) and its row report. */
    public record SplitEntry(List<ShardInfo> shards, DataReport.Counts report) {
    }
}
