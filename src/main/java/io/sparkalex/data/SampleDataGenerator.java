package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Writes a data set in the reference script's layout so the job trains for real with no download: images
 * named {@code <wnid>_<n>.JPEG|png} in one folder, {@code my_imagenet.csv} with the pandas index
 * column, {@code filename} and {@code split}, and {@code synset_words.txt}. Each of the reference script's ten
 * classes has its own shape, hue and texture, drawn at random position, size and rotation over a
 * noisy background, so the classes are learnable but not trivially separable by one pixel. A few
 * images are grey-scale or palette PNGs, to exercise the decoder's colour conversions.
 */
public final class SampleDataGenerator {
    /** The reference script's ten classes, in its order. */
    public static final String[][] CLASSES = {
            {"n02091244", "Ibizan hound"}, {"n02114548", "white wolf"}, {"n02138441", "meerkat"},
            {"n03584254", "iPod"}, {"n03075370", "combination lock"}, {"n09256479", "coral reef"},
            {"n03980874", "poncho"}, {"n02174001", "rhinoceros beetle"}, {"n03770439", "miniskirt"},
            {"n03773504", "missile"}};
    public static final String CSV = "my_imagenet.csv";
    public static final String IMAGES = "my_imagenet";
    public static final String SYNSETS = Synsets.FILE_NAME;

    private final int classes;
    private final int perClass;
    private final long seed;

    /**
     * @param classes  how many of the reference script's classes (2..10)
     * @param perClass images per class; 70% train, 10% val, 20% test as in the reference script (700/100/200)
     */
    public SampleDataGenerator(int classes, int perClass, long seed) {
        if (classes < 2 || classes > CLASSES.length) {
            throw new IllegalArgumentException("classes must be in [2, " + CLASSES.length + "]");
        }
        if (perClass < 10) {
            throw new IllegalArgumentException("need at least 10 images per class for three splits");
        }
        this.classes = classes;
        this.perClass = perClass;
        this.seed = seed;
    }

    /** Writes everything under {@code dir} (any Hadoop URI); returns the number of images. */
    public int write(String dir, Configuration conf) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem(conf);
        Path images = new Path(root, IMAGES);
        fs.mkdirs(images);
        Random rnd = new Random(seed);
        StringBuilder csv = new StringBuilder(",filename,split\n");
        int row = 0;
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                String split = i < perClass * 7 / 10 ? "train" : i < perClass * 8 / 10 ? "val" : "test";
                int kind = rnd.nextInt(10); // 0-6 JPEG, 7 PNG, 8 grey PNG, 9 palette PNG
                BufferedImage img = draw(c, rnd);
                String ext = kind < 7 ? "JPEG" : "png";
                if (kind == 8) {
                    img = convert(img, BufferedImage.TYPE_BYTE_GRAY);
                } else if (kind == 9) {
                    img = convert(img, BufferedImage.TYPE_BYTE_INDEXED);
                }
                String name = CLASSES[c][0] + "_" + (i + 1) + "." + ext;
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                if (!ImageIO.write(img, kind < 7 ? "jpeg" : "png", bytes)) {
                    throw new IOException("no ImageIO writer for " + ext);
                }
                try (FSDataOutputStream out = fs.create(new Path(images, name), true)) {
                    out.write(bytes.toByteArray());
                }
                csv.append(row++).append(',').append(name).append(',').append(split).append('\n');
            }
        }
        writeText(fs, new Path(root, CSV), csv.toString());
        StringBuilder synsets = new StringBuilder();
        for (String[] c : CLASSES) {
            synsets.append(c[0]).append(' ').append(c[1]).append('\n');
        }
        writeText(fs, new Path(root, SYNSETS), synsets.toString());
        return row;
    }

    private static void writeText(FileSystem fs, Path path, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static BufferedImage convert(BufferedImage src, int type) {
        BufferedImage dst = new BufferedImage(src.getWidth(), src.getHeight(), type);
        Graphics2D g = dst.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return dst;
    }

    /** One image of class {@code c}: noisy background, then the class's shape in the class's hue. */
    static BufferedImage draw(int c, Random rnd) {
        int w = 120 + rnd.nextInt(140);
        int h = 100 + rnd.nextInt(120);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.getHSBColor(rnd.nextFloat(), 0.15f + 0.2f * rnd.nextFloat(), 0.55f + 0.4f * rnd.nextFloat()));
        g.fillRect(0, 0, w, h);
        // Distractors: a few small grey blobs anywhere.
        for (int k = 0; k < 3; k++) {
            int v = 60 + rnd.nextInt(150);
            g.setColor(new Color(v, v, v));
            int s = 6 + rnd.nextInt(14);
            g.fillOval(rnd.nextInt(w), rnd.nextInt(h), s, s);
        }
        float hue = (c / 10f + (rnd.nextFloat() - 0.5f) * 0.05f + 1f) % 1f;
        Color color = Color.getHSBColor(hue, 0.65f + 0.35f * rnd.nextFloat(), 0.55f + 0.45f * rnd.nextFloat());
        int side = Math.min(w, h);
        int size = (int) (side * (0.45 + 0.35 * rnd.nextDouble()));
        int cx = size / 2 + rnd.nextInt(Math.max(1, w - size));
        int cy = size / 2 + rnd.nextInt(Math.max(1, h - size));
        AffineTransform at = new AffineTransform();
        at.translate(cx, cy);
        at.rotate((rnd.nextDouble() - 0.5) * 0.6);
        g.setTransform(at);
        g.setColor(color);
        drawShape(g, c, size);
        g.dispose();
        addNoise(img, rnd, 18);
        return img;
    }

    private static void drawShape(Graphics2D g, int c, int s) {
        int r = s / 2;
        switch (c) {
            case 0 -> g.fillOval(-r, -r, s, s);                                          // disc
            case 1 -> g.fillRect(-r, -r, s, s);                                          // square
            case 2 -> g.fillPolygon(new Polygon(new int[] {0, r, -r}, new int[] {-r, r, r}, 3)); // triangle
            case 3 -> { for (int y = -r; y < r; y += s / 5) { g.fillRect(-r, y, s, s / 10 + 1); } } // h-stripes
            case 4 -> { for (int x = -r; x < r; x += s / 5) { g.fillRect(x, -r, s / 10 + 1, s); } } // v-stripes
            case 5 -> { g.setStroke(new BasicStroke(Math.max(2, s / 8f))); g.drawOval(-r, -r, s, s); } // ring
            case 6 -> { g.fillRect(-r, -s / 10, s, s / 5); g.fillRect(-s / 10, -r, s / 5, s); } // cross
            case 7 -> {                                                                   // checkerboard
                int cell = Math.max(2, s / 4);
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        if ((i + j) % 2 == 0) {
                            g.fillRect(-r + i * cell, -r + j * cell, cell, cell);
                        }
                    }
                }
            }
            case 8 -> g.fillPolygon(new Polygon(new int[] {0, r, 0, -r}, new int[] {-r, 0, r, 0}, 4)); // diamond
            default -> {                                                                  // five-point star
                int[] xs = new int[10];
                int[] ys = new int[10];
                for (int i = 0; i < 10; i++) {
                    double a = Math.PI / 5 * i - Math.PI / 2;
                    double rr = i % 2 == 0 ? r : r * 0.45;
                    xs[i] = (int) Math.round(rr * Math.cos(a));
                    ys[i] = (int) Math.round(rr * Math.sin(a));
                }
                g.fillPolygon(xs, ys, 10);
            }
        }
    }

    private static void addNoise(BufferedImage img, Random rnd, int amplitude) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            int n = rnd.nextInt(2 * amplitude + 1) - amplitude;
            int r = clamp(((p >> 16) & 0xFF) + n);
            int gr = clamp(((p >> 8) & 0xFF) + n + rnd.nextInt(7) - 3);
            int b = clamp((p & 0xFF) + n + rnd.nextInt(7) - 3);
            px[i] = (r << 16) | (gr << 8) | b;
        }
        img.setRGB(0, 0, w, h, px, 0, w);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }
}
