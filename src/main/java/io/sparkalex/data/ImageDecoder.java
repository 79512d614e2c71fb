package io.sparkalex.data;

import net.coobird.thumbnailator.makers.FixedSizeThumbnailMaker;
import net.coobird.thumbnailator.resizers.DefaultResizerFactory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Turns encoded image bytes into the network's input: RGB, resized to a square, normalised with
 * the ImageNet mean and std (as the reference script does), laid out CHW. Runs on executors.
 *
 * <p>Decoding is ImageIO with TwelveMonkeys' JPEG reader (CMYK, YCCK and Adobe JPEGs, damaged
 * markers); resizing is Thumbnailator's progressive bilinear scaling, which avoids the aliasing of
 * a one-step bilinear shrink. Like PIL's {@code convert("RGB")}, which the reference script relies
 * on, alpha is dropped rather than composited, and grey levels are copied to R, G and B unchanged
 * (Java's own grey-to-sRGB conversion would brighten them).
 */
public final class ImageDecoder {
    /** ImageNet statistics on [0,1] pixels, the reference script's values. */
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    static {
        // Executors load our classes in a child class loader; make sure ImageIO sees the
        // TwelveMonkeys plug-ins from it, not only those of the loader that first touched ImageIO.
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    private final int size;

    public ImageDecoder(int size) {
        this.size = size;
    }

    /** Why an image could not be used; thrown by {@link #decode}. */
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

    /** Decodes, resizes and normalises one image into {@code out} at {@code offset} (3*size*size floats). */
    public void decode(byte[] bytes, float[] out, int offset) throws DecodeException {
        BufferedImage rgb = toRgb(read(bytes));
        BufferedImage resized = resize(rgb);
        writeChw(resized, out, offset);
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

    private BufferedImage resize(BufferedImage rgb) {
        if (rgb.getWidth() == size && rgb.getHeight() == size && rgb.getType() == BufferedImage.TYPE_INT_RGB) {
            return rgb;
        }
        return new FixedSizeThumbnailMaker(size, size, false, true)
                .resizerFactory(DefaultResizerFactory.getInstance())
                .imageType(BufferedImage.TYPE_INT_RGB)
                .make(rgb);
    }

    private void writeChw(BufferedImage img, float[] out, int offset) {
        int plane = size * size;
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        float r0 = 1f / (255f * STD[0]);
        float g0 = 1f / (255f * STD[1]);
        float b0 = 1f / (255f * STD[2]);
        float rm = MEAN[0] / STD[0];
        float gm = MEAN[1] / STD[1];
        float bm = MEAN[2] / STD[2];
        for (int i = 0; i < plane; i++) {
            int p = px[i];
            out[offset + i] = ((p >>> 16) & 0xFF) * r0 - rm;
            out[offset + plane + i] = ((p >>> 8) & 0xFF) * g0 - gm;
            out[offset + 2 * plane + i] = (p & 0xFF) * b0 - bm;
        }
    }
}
