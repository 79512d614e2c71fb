package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.util.SerializableConfiguration;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Executor side of the input pipeline: turns a minibatch name ({@link BatchPlan}) into a DL4J
 * {@link DataSet}, reading each image from its cache shard, decoding it and applying the training
 * transform (seeded from seed, epoch and image) or the evaluation centre crop. DL4J's workers call
 * it from their prefetch thread ({@code fitPaths(paths, loader)} with {@code prefetch}), so the
 * next minibatches are decoded and augmented while the current one trains.
 */
public final class CacheBatchLoader implements DataSetLoader {
    private static final long serialVersionUID = 1L;

    private final int imageSize;
    private final int numClasses;
    private final Augmentation augmentation;
    private final long seed;
    private final SerializableConfiguration hadoop;

    public CacheBatchLoader(int imageSize, int numClasses, Augmentation augmentation, long seed, Configuration hadoop) {
        this.imageSize = imageSize;
        this.numClasses = numClasses;
        this.augmentation = augmentation;
        this.seed = seed;
        this.hadoop = new SerializableConfiguration(hadoop);
    }

    /** The cached images of a minibatch and their labels, before any transform. */
    public record Images(Pixels[] pixels, int[] labels, BatchPlan.Parsed batch) {
    }

    @Override
    public DataSet load(Source source) {
        return load(source.getPath());
    }

    public DataSet load(String batchName) {
        Images images = read(batchName);
        int n = images.labels().length;
        int per = 3 * imageSize * imageSize;
        float[] x = new float[n * per];
        if (images.batch().training()) {
            TrainTransform train = new TrainTransform(imageSize, augmentation);
            for (int i = 0; i < n; i++) {
                int[] ref = images.batch().images()[i];
                long image = BatchPlan.imageId(ref[0], ref[1], ref[2]);
                train.apply(images.pixels()[i], new SplittableRandom(BatchPlan.mix(seed, images.batch().epoch(), image)),
                        x, i * per);
            }
        } else {
            EvalTransform eval = new EvalTransform(imageSize);
            for (int i = 0; i < n; i++) {
                eval.centre(images.pixels()[i], x, i * per);
            }
        }
        return new DataSet(Nd4j.create(x, new long[] {n, 3, imageSize, imageSize}, 'c'), oneHot(images.labels()));
    }

    /** One-hot label rows for a minibatch. */
    private INDArray oneHot(int[] labels) {
        float[] y = new float[labels.length * numClasses];
        for (int i = 0; i < labels.length; i++) {
            y[i * numClasses + labels[i]] = 1f;
        }
        return Nd4j.create(y, new long[] {labels.length, numClasses}, 'c');
    }

    /** Reads and decodes a minibatch's images, opening each shard it touches once. */
    public Images read(String batchName) {
        BatchPlan.Parsed batch = BatchPlan.Parsed.of(batchName);
        Path dir = new Path(batch.dir());
        Map<String, ShardFile.Reader> shards = new HashMap<>();
        try {
            FileSystem fs = dir.getFileSystem(hadoop.value());
            int n = batch.images().length;
            Pixels[] pixels = new Pixels[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                int[] ref = batch.images()[i];
                String name = ShardInfo.fileName(ref[0], ref[1]);
                ShardFile.Reader shard = shards.get(name);
                if (shard == null) {
                    shard = new ShardFile.Reader(fs, new Path(dir, name));
                    shards.put(name, shard);
                }
                pixels[i] = ImageDecoder.decodeCached(shard.image(ref[2]));
                labels[i] = shard.label(ref[2]);
            }
            return new Images(pixels, labels, batch);
        } catch (IOException e) {
            throw new UncheckedIOException("reading cached minibatch from " + dir, e);
        } finally {
            for (ShardFile.Reader r : shards.values()) {
                try {
                    r.close();
                } catch (IOException ignored) {
                    // read-only: nothing was lost
                }
            }
        }
    }
}
