package io.sparkalex.data;

/**
 * An RGB image as packed {@code 0xRRGGBB} ints, row by row: what the transforms crop, flip and
 * normalise. Plain arrays, because per-pixel work through {@code BufferedImage} calls is slow.
 */
public record Pixels(int width, int height, int[] rgb) {
    /** ImageNet statistics on [0,1] pixels, the reference script's values. */
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    /** The pixels of a decoded image. */
    public static Pixels of(java.awt.image.BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        return new Pixels(w, h, img.getRGB(0, 0, w, h, null, 0, w));
    }

    public int at(int x, int y) {
        return rgb[y * width + x];
    }

    /**
     * Writes the {@code size x size} window at ({@code x0}, {@code y0}) into {@code out} at
     * {@code offset} as normalised CHW floats, mirrored left-right when {@code flip}, with
     * {@code shift} (per channel, on [0,1] pixels: the colour noise) added before normalising.
     */
    void writeChw(int x0, int y0, int size, boolean flip, float[] shift, float[] out, int offset) {
        if (x0 < 0 || y0 < 0 || x0 + size > width || y0 + size > height) {
            throw new IllegalArgumentException("crop " + size + " at (" + x0 + ", " + y0 + ") outside "
                    + width + "x" + height);
        }
        int plane = size * size;
        float[] scale = new float[3];
        float[] bias = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / (255f * STD[c]);
            bias[c] = (shift[c] - MEAN[c]) / STD[c];
        }
        for (int y = 0; y < size; y++) {
            int row = (y0 + y) * width + x0;
            int o = offset + y * size;
            for (int x = 0; x < size; x++) {
                int p = rgb[row + (flip ? size - 1 - x : x)];
                out[o + x] = ((p >>> 16) & 0xFF) * scale[0] + bias[0];
                out[o + plane + x] = ((p >>> 8) & 0xFF) * scale[1] + bias[1];
                out[o + 2 * plane + x] = (p & 0xFF) * scale[2] + bias[2];
            }
        }
    }
}
