package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training and evaluation transforms, and the loader that applies them to cached minibatches. */
class TrainTransformTest {
    static final int SIDE = 40;
    static final int SIZE = 32;
    @TempDir
    static Path tmp;
    static CachedSplit split;

    /** A shard of noisy images, as the cache would hold them. */
    @BeforeAll
    static void cache() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("train"));
        Random rnd = new Random(1);
        List<byte[]> images = new ArrayList<>();
        int[] labels = new int[20];
        for (int i = 0; i < 20; i++) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(SIDE, SIDE,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    img.setRGB(x, y, rnd.nextInt(1 << 24));
                }
            }
            images.add(ImageDecoder.encodeJpeg(img, 0.95f));
            labels[i] = i % 3;
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(ShardInfo.fileName(0, 0)))) {
            ShardFile.write(out, images, labels);
        }
        split = new CachedSplit("train", dir.toUri().toString(), List.of(new ShardInfo(0, 0, 20)), new DataReport());
    }

    static CacheBatchLoader loader(Augmentation aug) {
        return new CacheBatchLoader(SIZE, 3, aug, 42, new Configuration());
    }

    static float[] features(CacheBatchLoader loader, String batch) {
        DataSet ds = loader.load(batch);
        return ds.getFeatures().dup().data().asFloat();
    }

    @Test
    void augmentedMinibatchesRepeatForTheSameEpochAndDifferAcrossEpochs() {
        CacheBatchLoader loader = loader(new Augmentation(true, true, true, 1.0));
        String epoch1 = BatchPlan.training(split, 20, 42, 1).get(0);
        assertArrayEquals(features(loader, epoch1), features(loader, epoch1), "same (seed, epoch): same crops and flips");
        // The same images in the same order, as epoch 2 would load them: only the augmentation differs.
        String asEpoch2 = epoch1.replace("#t1;", "#t2;");
        assertFalse(Arrays.equals(features(loader, epoch1), features(loader, asEpoch2)), "another epoch: other crops");
        DataSet ds = loader.load(epoch1);
        assertArrayEquals(new long[] {20, 3, SIZE, SIZE}, ds.getFeatures().shape());
        assertEquals(20, ds.getLabels().sum(0, 1).getDouble(0), 1e-6, "one-hot labels");
    }

    @Test
    void withoutAugmentationTrainingSeesTheCentreCropEveryEpoch() {
        CacheBatchLoader loader = loader(Augmentation.NONE);
        String epoch1 = BatchPlan.training(split, 20, 42, 1).get(0);
        assertArrayEquals(features(loader, epoch1), features(loader, epoch1.replace("#t1;", "#t2;")));
        String eval = BatchPlan.evaluation(split, 20).get(0);
        CacheBatchLoader.Images images = loader.read(eval);
        float[] centre = new float[3 * SIZE * SIZE];
        new EvalTransform(SIZE).centre(images.pixels()[0], centre, 0);
        assertArrayEquals(centre, Arrays.copyOf(features(loader, eval), centre.length));
    }

    @Test
    void cropsStayInsideTheImageAndFlipsMirror() {
        Pixels p = ramp();
        TrainTransform flipOnly = new TrainTransform(SIZE, new Augmentation(false, true, false, 1.0));
        float[] a = new float[3 * SIZE * SIZE];
        boolean sawFlip = false;
        boolean sawPlain = false;
        for (int seed = 0; seed < 20; seed++) {
            flipOnly.apply(p, new SplittableRandom(seed), a, 0);
            boolean increasing = a[1] > a[0];   // red channel ramps up with x
            sawPlain |= increasing;
            sawFlip |= !increasing;
        }
        assertTrue(sawFlip && sawPlain, "about half the draws flip");
        TrainTransform all = new TrainTransform(SIZE, new Augmentation(true, true, true, 0.3));
        for (int seed = 0; seed < 200; seed++) {
            all.apply(p, new SplittableRandom(seed), a, 0);   // throws if a crop leaves the image
        }
    }

    @Test
    void pcaColourNoiseHasThePapersCovariance() {
        int n = 200_000;
        double[][] sum = new double[3][3];
        double[] mean = new double[3];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            float[] s = TrainTransform.colourShift(rnd);
            for (int a = 0; a < 3; a++) {
                mean[a] += s[a] / (double) n;
                for (int b = 0; b < 3; b++) {
                    sum[a][b] += s[a] * (double) s[b] / n;
                }
            }
        }
        for (int a = 0; a < 3; a++) {
            assertEquals(0, mean[a], 1e-3, "zero mean");
            for (int b = 0; b < 3; b++) {
                double expected = 0;
                for (int k = 0; k < 3; k++) {
                    double sd = TrainTransform.ALPHA_STD * TrainTransform.EIGVAL[k];
                    expected += TrainTransform.EIGVEC[a][k] * TrainTransform.EIGVEC[b][k] * sd * sd;
                }
                // 5% of the largest variance: 15x the sampling error of 200,000 draws, and well
                // below what swapping eigenvector rows and columns would change.
                assertEquals(expected, sum[a][b], 0.05 * 0.02175 * 0.02175, "covariance[" + a + "][" + b + "]");
            }
        }
        double trace = 0;
        for (double v : TrainTransform.EIGVAL) {
            trace += v * v * TrainTransform.ALPHA_STD * TrainTransform.ALPHA_STD;
        }
        assertEquals(trace, sum[0][0] + sum[1][1] + sum[2][2], 0.03 * trace, "trace = sum of (0.1 x eigenvalue)^2");
    }

    @Test
    void tenCropsOfALeftRightSymmetricImageAreItsFiveCropsTwice() {
        Pixels p = symmetric();
        EvalTransform t = new EvalTransform(SIZE);
        List<float[]> plain = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            float[] c = new float[3 * SIZE * SIZE];
            t.crop(p, k, c, 0);
            plain.add(c);
        }
        int[] mirrorOf = {6, 5, 8, 7, 9};   // flipped top-left = top-right of a symmetric image, ...
        for (int k = 0; k < 5; k++) {
            assertArrayEquals(plain.get(k), plain.get(mirrorOf[k]), "crop " + k);
        }
        assertFalse(Arrays.equals(plain.get(0), plain.get(1)), "the corners themselves differ (top-bottom ramp)");
    }

    /** Red rises with x, green with y. */
    static Pixels ramp() {
        int[] rgb = new int[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                rgb[y * SIDE + x] = (x * 6) << 16 | (y * 6) << 8 | 100;
            }
        }
        return new Pixels(SIDE, SIDE, rgb);
    }

    /** Mirror-symmetric left-right, varying in both directions. */
    static Pixels symmetric() {
        int[] rgb = new int[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int d = Math.min(x, SIDE - 1 - x);
                rgb[y * SIDE + x] = (d * 12) << 16 | (y * 6) << 8 | ((d * y) & 0xFF);
            }
        }
        return new Pixels(SIDE, SIDE, rgb);
    }
}
