package io.sparkalex.data;

import java.util.SplittableRandom;

/**
 * The training-time image pipeline (torchvision's "presets" in one class): from a cached
 * square image, a random crop of the network's input size (or a random-resized crop), a random
 * horizontal flip, the AlexNet paper's PCA colour noise, then normalisation to CHW floats. Every
 * random choice comes from the generator it is given, which {@link CacheBatchLoader} seeds from
 * (seed, epoch, image): the same epoch looks the same on any worker and in any rerun.
 */
public final class TrainTransform {
    /** ImageNet's RGB eigenvalues and eigenvectors (columns) for pixels in [0,1], from the paper's recipe. */
    static final double[] EIGVAL = {0.2175, 0.0188, 0.0045};
    static final double[][] EIGVEC = {
            {-0.5675, 0.7192, 0.4009},
            {-0.5808, -0.0045, -0.8140},
            {-0.5836, -0.6948, 0.4203}};
    /** Standard deviation of the noise's coefficients, the paper's 0.1. */
    static final double ALPHA_STD = 0.1;

    private final int size;
    private final Augmentation aug;

    public TrainTransform(int size, Augmentation aug) {
        this.size = size;
        this.aug = aug;
    }

    /** Writes one augmented example into {@code out} at {@code offset} (3 x size x size floats). */
    public void apply(Pixels image, SplittableRandom rnd, float[] out, int offset) {
        Pixels source = image;
        int x0 = (image.width() - size) / 2;
        int y0 = (image.height() - size) / 2;
        if (aug.scale()) {
            source = randomResizedCrop(image, rnd);
            x0 = 0;
            y0 = 0;
        } else if (aug.crop()) {
            x0 = rnd.nextInt(image.width() - size + 1);
            y0 = rnd.nextInt(image.height() - size + 1);
        }
        boolean flip = aug.flip() && rnd.nextBoolean();
        float[] shift = aug.colour() ? colourShift(rnd) : new float[3];
        source.writeChw(x0, y0, size, flip, shift, out, offset);
    }

    /** The paper's PCA colour noise: eigenvectors weighted by eigenvalue x N(0, 0.1), per channel. */
    static float[] colourShift(SplittableRandom rnd) {
        double[] weight = new double[3];
        for (int j = 0; j < 3; j++) {
            weight[j] = gaussian(rnd) * ALPHA_STD * EIGVAL[j];
        }
        float[] shift = new float[3];
        for (int c = 0; c < 3; c++) {
            shift[c] = (float) (EIGVEC[c][0] * weight[0] + EIGVEC[c][1] * weight[1] + EIGVEC[c][2] * weight[2]);
        }
        return shift;
    }

    /** A standard normal draw (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
    static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    /** A window of random area and aspect ratio, scaled bilinearly to size x size. */
    private Pixels randomResizedCrop(Pixels image, SplittableRandom rnd) {
        int w = image.width();
        int h = image.height();
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = w * h * (aug.minScale() + rnd.nextDouble() * (1 - aug.minScale()));
            double aspect = Math.exp(Math.log(3 / 4.0) + rnd.nextDouble() * Math.log(16 / 9.0));
            int cw = (int) Math.round(Math.sqrt(area * aspect));
            int ch = (int) Math.round(Math.sqrt(area / aspect));
            if (cw <= w && ch <= h && cw > 0 && ch > 0) {
                return Resize.bilinear(image, rnd.nextInt(w - cw + 1), rnd.nextInt(h - ch + 1), cw, ch, size);
            }
        }
        return Resize.bilinear(image, 0, 0, w, h, size);
    }
}
