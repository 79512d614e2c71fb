package io.sparkalex.bench;

import io.sparkalex.data.Augmentation;
import io.sparkalex.data.BatchPlan;
import io.sparkalex.data.CacheBatchLoader;
import io.sparkalex.data.CachedSplit;
import io.sparkalex.data.ShardInfo;
import io.sparkalex.data.DataReport;
import io.sparkalex.storage.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the input pipeline costs, measured on the cache a run built: bytes per cached image
 * against raw uint8 and the float32 minibatch files of before, and how fast one thread loads and
 * augments training minibatches from it (the work each worker's prefetch thread does).
 */
final class PipelineMeasures {
    private PipelineMeasures() {
    }

    /** Bytes per cached image, from the shard files and the manifest's image counts. */
    static Map<String, Object> cacheBytes(Path cacheDir, int resizeSize, int imageSize) throws Exception {
        long bytes;
        try (Stream<Path> files = Files.walk(cacheDir)) {
            bytes = files.filter(f -> f.getFileName().toString().startsWith("shard-")).mapToLong(f -> f.toFile().length())
                    .sum();
        }
        long images = 0;
        JsonNode manifest = Json.MAPPER.readTree(Files.readString(cacheDir.resolve("manifest.json")));
        for (JsonNode split : manifest.path("splits")) {
            images += split.path("report").path("used").asLong();
        }
        double perImage = bytes / (double) images;
        double float32 = 3.0 * imageSize * imageSize * 4;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", images);
        m.put("jpeg_bytes_per_image", perImage);
        m.put("raw_uint8_bytes_per_image", 3.0 * resizeSize * resizeSize);
        m.put("float32_minibatch_bytes_per_image", float32);
        m.put("jpeg_fraction_of_float32", perImage / float32);
        m.put("raw_uint8_fraction_of_float32", 3.0 * resizeSize * resizeSize / float32);
        return m;
    }

    /** Images per second one thread loads, decodes and augments from the train split of the cache. */
    static double loaderImagesPerSecond(Path cacheDir, int imageSize, int batchSize, Augmentation aug, int batches)
            throws Exception {
        JsonNode manifest = Json.MAPPER.readTree(Files.readString(cacheDir.resolve("manifest.json")));
        List<ShardInfo> shards = new ArrayList<>();
        for (JsonNode s : manifest.path("splits").path("train").path("shards")) {
            shards.add(new ShardInfo(s.path("task").asInt(), s.path("part").asInt(), s.path("images").asInt()));
        }
        String dir = cacheDir.resolve(manifest.path("build").asText()).resolve("train").toUri().toString();
        CachedSplit train = new CachedSplit("train", dir, shards, new DataReport());
        CacheBatchLoader loader = new CacheBatchLoader(imageSize, 10, aug, 1, new Configuration());
        List<String> names = BatchPlan.training(train, batchSize, 1, 1);
        loader.load(names.get(0));   // warm-up: class loading, JIT
        long images = 0;
        long t = System.nanoTime();
        for (int i = 0; i < Math.min(batches, names.size()); i++) {
            images += loader.load(names.get(i)).numExamples();
        }
        return images / ((System.nanoTime() - t) / 1e9);
    }
}
