package io.sparkalex.data;

import net.coobird.thumbnailator.makers.FixedSizeThumbnailMaker;
import net.coobird.thumbnailator.resizers.DefaultResizerFactory;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Image bytes in and out, on executors: any accepted image decoded to 8-bit RGB, scaled and
 * centre-cropped to the cache's square, re-encoded as JPEG for the cache, and cache images
 * decoded back to pixels for the transforms ({@link TrainTransform}, {@link EvalTransform}).
 *
 * <p>Decoding is ImageIO with TwelveMonkeys' JPEG reader (CMYK, YCCK and Adobe JPEGs, damaged
 * markers); resizing is Thumbnailator's progressive bilinear scaling, which avoids the aliasing of
 * a one-step bilinear shrink. Like PIL's {@code convert("RGB")}, which the reference script relies
 * on, alpha is dropped rather than composited, and grey levels are copied to R, G and B unchanged
 * (Java's own grey-to-sRGB conversion would brighten them).
 */
public final class ImageDecoder {
    static {
        // Executors load our classes in a child class loader; make sure ImageIO sees the
        // TwelveMonkeys plug-ins from it, not only those of the loader that first touched ImageIO.
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    private ImageDecoder() {
    }

    /** Why an image could not be used; thrown by {@link #decodeRgb}. */
    public static final class DecodeException extends Exception {
        private final SkipReason reason;

        DecodeException(SkipReason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public SkipReason reason() {
            return reason;
        }
    }

    /** Decodes any accepted image into 8-bit RGB, refusing what the job cannot train on. */
    public static BufferedImage decodeRgb(byte[] bytes) throws DecodeException {
        return toRgb(read(bytes));
    }

    static BufferedImage read(byte[] bytes) throws DecodeException {
        if (bytes.length == 0) {
            throw new DecodeException(SkipReason.EMPTY_FILE, "file is empty");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DecodeException(SkipReason.NOT_AN_IMAGE, "no image reader recognises these bytes");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w < ImageLimits.MIN_SIDE || h < ImageLimits.MIN_SIDE) {
                    throw new DecodeException(SkipReason.TOO_SMALL, "image is " + w + "x" + h
                            + ", smaller than " + ImageLimits.MIN_SIDE + " pixels on a side");
                }
                if (w * h > ImageLimits.MAX_PIXELS) {
                    throw new DecodeException(SkipReason.TOO_LARGE, "image is " + w + "x" + h
                            + ", more than " + ImageLimits.MAX_PIXELS + " pixels");
                }
                long decodedBytes = decodedBytes(reader, w, h);
                if (decodedBytes > ImageLimits.decodeBudget()) {
                    throw new DecodeException(SkipReason.TOO_LARGE, String.format(java.util.Locale.ROOT,
                            "image is %dx%d; decoding it takes about %d MB, more than the %d MB this JVM allows one "
                                    + "image (half its heap, over its cores)", w, h, decodedBytes >> 20,
                            ImageLimits.decodeBudget() >> 20));
                }
                String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
                if (!ImageLimits.FORMATS.contains(format)) {
                    throw new DecodeException(SkipReason.UNSUPPORTED_FORMAT, "format '" + format + "' is not supported");
                }
                // Readers report a truncated stream only as a warning ("Premature end of JPEG
                // file") and return a partly grey image, which is not the labelled picture. Other
                // warnings (extraneous bytes, a CMYK JPEG without ICC profile) leave a usable image.
                List<String> truncation = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    String text = warning.toLowerCase(java.util.Locale.ROOT);
                    if (text.contains("premature end") || text.contains("truncat")) {
                        truncation.add(warning);
                    }
                });
                BufferedImage image = reader.read(0);
                if (!truncation.isEmpty()) {
                    throw new DecodeException(SkipReason.CORRUPT, "truncated image data: " + truncation.get(0));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (DecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports truncated or garbled data as IIOException, and some readers as
            // IndexOutOfBounds / IllegalArgument errors: all mean the bytes cannot be decoded.
            throw new DecodeException(SkipReason.CORRUPT, "cannot decode: " + e);
        }
    }

    /**
     * Heap the decode will take, from the header alone: the reader's raster (bands x bits per
     * sample, e.g. 8 bytes a pixel for 16-bit RGBA, 4 for CMYK) plus the 8-bit RGB copy.
     */
    static long decodedBytes(ImageReader reader, long w, long h) throws IOException {
        int bitsPerPixel = 32;
        javax.imageio.ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<javax.imageio.ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        if (type != null) {
            java.awt.image.SampleModel sm = type.getSampleModel(1, 1);
            int bits = 0;
            for (int b = 0; b < sm.getNumBands(); b++) {
                bits += sm.getSampleSize(b);
            }
            bitsPerPixel = Math.max(bitsPerPixel, bits);
        }
        return w * h * (bitsPerPixel / 8 + 4);
    }

    /** Any colour model to 8-bit sRGB without alpha. */
    static BufferedImage toRgb(BufferedImage src) {
        int type = src.getType();
        if (type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_3BYTE_BGR) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dstPixels = ((DataBufferInt) dst.getRaster().getDataBuffer()).getData();
        if (src.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            Raster raster = src.getRaster();
            int bits = src.getColorModel().getComponentSize(0);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int g = bits == 8 ? row[x] : bits > 8 ? row[x] >>> (bits - 8) : row[x] * 255 / ((1 << bits) - 1);
                    dstPixels[y * w + x] = (g << 16) | (g << 8) | g;
                }
            }
        } else {
            // getRGB converts palette, 16-bit and other colour spaces to non-premultiplied sRGB;
            // masking off the top byte drops alpha the way PIL does.
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                src.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    dstPixels[y * w + x] = row[x] & 0xFFFFFF;
                }
            }
        }
        return dst;
    }

    /**
     * The cache's form of an image: its shorter side scaled to {@code side}, then the centre
     * {@code side x side} square (the paper's 256x256 images, from which training crops 227).
     */
    public static BufferedImage centreSquare(BufferedImage rgb, int side) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        double scale = side / (double) Math.min(w, h);
        int sw = Math.max(side, (int) Math.round(w * scale));
        int sh = Math.max(side, (int) Math.round(h * scale));
        BufferedImage scaled = sw == w && sh == h && rgb.getType() == BufferedImage.TYPE_INT_RGB ? rgb
                : new FixedSizeThumbnailMaker(sw, sh, false, true)
                        .resizerFactory(DefaultResizerFactory.getInstance())
                        .imageType(BufferedImage.TYPE_INT_RGB)
                        .make(rgb);
        BufferedImage square = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[side];
        int x0 = (sw - side) / 2;
        int y0 = (sh - side) / 2;
        for (int y = 0; y < side; y++) {
            scaled.getRGB(x0, y0 + y, side, 1, row, 0, side);
            square.setRGB(0, y, side, 1, row, 0, side);
        }
        return square;
    }

    /** Baseline JPEG at {@code quality} (0-1): how the cache stores images. */
    public static byte[] encodeJpeg(BufferedImage rgb, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rgb.getWidth() * rgb.getHeight() / 2);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** An image from the cache (bytes this class wrote): its RGB pixels, row by row. */
    public static Pixels decodeCached(byte[] jpeg) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
        if (img == null) {
            throw new IOException("a cached image could not be decoded");
        }
        return Pixels.of(img);
    }
}
