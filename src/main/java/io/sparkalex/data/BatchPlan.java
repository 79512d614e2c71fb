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
        List<long[]> images = images(split);
        SplittableRandom rnd = new SplittableRandom(mix(seed, epoch, -1));
        for (int i = images.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long[] t = images.get(i);
            images.set(i, images.get(j));
            images.set(j, t);
        }
        return batches(split, images, batchSize, "t" + epoch);
    }

    /** Every image of a split once, in cache order, for evaluation. */
    public static List<String> evaluation(CachedSplit split, int batchSize) {
        return batches(split, images(split), batchSize, "e0");
    }

    private static List<long[]> images(CachedSplit split) {
        List<long[]> images = new ArrayList<>((int) split.examples());
        for (ShardInfo s : split.shards()) {
            for (int i = 0; i < s.images(); i++) {
                images.add(new long[] {s.task(), s.part(), i});
            }
        }
        return images;
    }

    private static List<String> batches(CachedSplit split, List<long[]> images, int batchSize, String mode) {
        List<String> batches = new ArrayList<>();
        for (int start = 0; start < images.size(); start += batchSize) {
            StringBuilder b = new StringBuilder(split.dir()).append('#').append(mode).append(';');
            for (int i = start; i < Math.min(images.size(), start + batchSize); i++) {
                long[] ref = images.get(i);
                b.append(i == start ? "" : ",").append(ref[0]).append('.').append(ref[1]).append('.').append(ref[2]);
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
