package io.sparkalex.data;

/** Bilinear scaling of a window of an image to a square, on packed RGB ints. */
final class Resize {
    private Resize() {
    }

    /** The {@code cw x ch} window at ({@code x0}, {@code y0}) scaled to {@code size x size}. */
    static Pixels bilinear(Pixels src, int x0, int y0, int cw, int ch, int size) {
        int[] out = new int[size * size];
        double sx = cw / (double) size;
        double sy = ch / (double) size;
        for (int y = 0; y < size; y++) {
            double fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), ch - 1);
            int ya = (int) fy;
            int yb = Math.min(ya + 1, ch - 1);
            double wy = fy - ya;
            for (int x = 0; x < size; x++) {
                double fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), cw - 1);
                int xa = (int) fx;
                int xb = Math.min(xa + 1, cw - 1);
                double wx = fx - xa;
                int p00 = src.at(x0 + xa, y0 + ya);
                int p01 = src.at(x0 + xb, y0 + ya);
                int p10 = src.at(x0 + xa, y0 + yb);
                int p11 = src.at(x0 + xb, y0 + yb);
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double top = ((p00 >>> shift) & 0xFF) * (1 - wx) + ((p01 >>> shift) & 0xFF) * wx;
                    double bottom = ((p10 >>> shift) & 0xFF) * (1 - wx) + ((p11 >>> shift) & 0xFF) * wx;
                    rgb |= ((int) Math.round(top * (1 - wy) + bottom * wy)) << shift;
                }
                out[y * size + x] = rgb;
            }
        }
        return new Pixels(size, size, out);
    }
}
