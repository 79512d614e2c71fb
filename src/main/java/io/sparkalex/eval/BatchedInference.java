package io.sparkalex.eval;

import io.sparkalex.data.Pixels;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Collects decoded images one at a time and scores them a minibatch at a time (the network is far
 * faster on a batch than on single images), handing each batch's keys (labels, paths) and
 * probabilities, one row per image, to {@code sink}. Call {@link #flush} after the last image.
 */
public final class BatchedInference<K> {
    private final CropInference inference;
    private final int batchSize;
    private final BiConsumer<List<K>, float[][]> sink;
    private final Pixels[] images;
    private final List<K> keys = new ArrayList<>();

    public BatchedInference(CropInference inference, int batchSize, BiConsumer<List<K>, float[][]> sink) {
        this.inference = inference;
        this.batchSize = batchSize;
        this.sink = sink;
        this.images = new Pixels[batchSize];
    }

    public void add(K key, Pixels image) {
        images[keys.size()] = image;
        keys.add(key);
        if (keys.size() == batchSize) {
            flush();
        }
    }

    public void flush() {
        if (keys.isEmpty()) {
            return;
        }
        sink.accept(List.copyOf(keys), inference.probabilities(images, keys.size()));
        java.util.Arrays.fill(images, null);
        keys.clear();
    }
}
