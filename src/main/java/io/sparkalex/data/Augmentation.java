package io.sparkalex.data;

import java.io.Serializable;

/**
 * Which training-time augmentations are on, as the configuration says. {@code minScale} below 1
 * turns the fixed-size random crop into a random-resized crop (scale augmentation): a window of
 * {@code minScale}..1 of the image's area and aspect 3/4..4/3, scaled to the network's input.
 */
public record Augmentation(boolean crop, boolean flip, boolean colour, double minScale) implements Serializable {
    /** The reference script's recipe: every image the same in every epoch (centre crop). */
    public static final Augmentation NONE = new Augmentation(false, false, false, 1.0);

    public boolean scale() {
        return minScale < 1.0;
    }
}
