package io.sparkalex.data;

/**
 * The evaluation-time image pipeline: the centre crop of the network's input size from a cached
 * square image, or the paper's ten crops (the four corners and the centre, and their mirror
 * images), whose softmax outputs the evaluator averages.
 */
public final class EvalTransform {
    private final int size;

    public EvalTransform(int size) {
        this.size = size;
    }

    /** The centre crop into {@code out} at {@code offset}. */
    public void centre(Pixels image, float[] out, int offset) {
        crop(image, 4, out, offset);
    }

    /**
     * Crop {@code k} of the ten: 0-4 are the top-left, top-right, bottom-left and bottom-right
     * corners and the centre; 5-9 the same mirrored left-right.
     */
    public void crop(Pixels image, int k, float[] out, int offset) {
        int right = image.width() - size;
        int bottom = image.height() - size;
        int[][] origins = {{0, 0}, {right, 0}, {0, bottom}, {right, bottom}, {right / 2, bottom / 2}};
        int[] o = origins[k % 5];
        image.writeChw(o[0], o[1], size, k >= 5, new float[3], out, offset);
    }
}
