package io.sparkalex.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which cached images make up which minibatch. A minibatch is named by a string that DL4J
 * passes to the workers as a "path" and {@link CacheBatchLoader} reads back:
 * {@code <split dir>#<mode><epoch>;<task>.<part>.<index>,...}, mode {@code t} for training
 * (augmented) and {@code e} for evaluation. For training, every epoch shuffles all images anew
 * from (seed, epoch) and deals them into minibatches: every image once per epoch, in a new
 * composition each epoch, the same in a rerun; only the epoch's last minibatch can be short.
 */
public final class BatchPlan {
    private BatchPlan() {
    }

    /** One epoch's training minibatches, shuffled from (seed, epoch). */
    public static List<String> training(CachedSplit split, int batchSize, long seed, int epoch) {
        long[] images = images(split);
        SplittableRandom rnd = new SplittableRandom(mix(seed, epoch, -1));
        for (int i = images.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = images[i];
            images[i] = images[j];
            images[j] = t;
        }
        return batches(split, images, batchSize, "t" + epoch);
    }

    /** Every image of a split once, in cache order, for evaluation. */
    public static List<String> evaluation(CachedSplit split, int batchSize) {
        return batches(split, images(split), batchSize, "e0");
    }

    /**
     * One image of the cache as one number: shard task, shard part and index in the shard, in
     * bits 40+, 20-39 and 0-19 (a shard holds far fewer than 2^20 images). The plan shuffles
     * these, and the loader seeds each image's augmentation from it.
     */
    static long imageId(long task, long part, long index) {
        return task << 40 | part << 20 | index;
    }

    /** Every image of a split as its {@link #imageId}, in cache order: a primitive array, even for ImageNet. */
    private static long[] images(CachedSplit split) {
        long[] images = new long[(int) split.examples()];
        int n = 0;
        for (ShardInfo s : split.shards()) {
            for (int i = 0; i < s.images(); i++) {
                images[n++] = imageId(s.task(), s.part(), i);
            }
        }
        return images;
    }

    private static List<String> batches(CachedSplit split, long[] images, int batchSize, String mode) {
        List<String> batches = new ArrayList<>();
        for (int start = 0; start < images.length; start += batchSize) {
            StringBuilder b = new StringBuilder(split.dir()).append('#').append(mode).append(';');
            for (int i = start; i < Math.min(images.length, start + batchSize); i++) {
                long id = images[i];
                b.append(i == start ? "" : ",").append(id >>> 40).append('.').append((id >>> 20) & 0xFFFFF).append('.')
                        .append(id & 0xFFFFF);
            }
            batches.add(b.toString());
        }
        return batches;
    }

    /** A seed for (seed, epoch, image) with all bits mixed (SplittableRandom's own mixing of a sum). */
    static long mix(long seed, long epoch, long image) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + image).nextLong();
    }

    /** A minibatch name taken apart. */
    record Parsed(String dir, boolean training, int epoch, int[][] images) {
        static Parsed of(String name) {
            int hash = name.lastIndexOf('#');
            int semi = name.indexOf(';', hash);
            if (hash < 0 || semi < 0) {
                throw new IllegalArgumentException("not a minibatch of the image cache: " + name);
            }
            String[] refs = name.substring(semi + 1).split(",");
            int[][] images = new int[refs.length][];
            for (int i = 0; i < refs.length; i++) {
                String[] f = refs[i].split("\\.");
                images[i] = new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2])};
            }
            return new Parsed(name.substring(0, hash), name.charAt(hash + 1) == 't',
                    Integer.parseInt(name.substring(hash + 2, semi)), images);
        }
    }
}
