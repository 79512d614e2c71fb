package io.sparkalex.data;

import java.util.Set;

/** What the decoder accepts; one place for the limits that decide a counted skip. */
final class ImageLimits {
    /** Smaller images carry too little to upsample into a training example. */
    static final int MIN_SIDE = 8;
    /** 100 megapixels: a decoded RGB image of this size already fills a large part of an executor's heap. */
    static final long MAX_PIXELS = 100_000_000L;
    /**
     * Heap one decode may take: half the heap shared by as many decodes as the JVM has cores (an
     * executor's tasks decode side by side). Larger images are skipped from their header, before
     * any pixel is decoded.
     */
    static long decodeBudget() {
        return Runtime.getRuntime().maxMemory() / 2 / Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** ImageIO format names we train on. */
    static final Set<String> FORMATS = Set.of("jpeg", "jpg", "png");

    private ImageLimits() {
    }
}
