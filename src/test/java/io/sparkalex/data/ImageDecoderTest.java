package io.sparkalex.data;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding real encoded bytes of each colour model the job must accept, at a test size. */
class ImageDecoderTest {
    static final int SIZE = 67;

    /** An image scaled to a SIZE square and written as the network's normalised CHW input (no JPEG step). */
    static float[] decode(byte[] bytes) throws ImageDecoder.DecodeException {
        return chw(ImageDecoder.centreSquare(ImageDecoder.decodeRgb(bytes), SIZE));
    }

    static float[] chw(BufferedImage square) {
        Pixels p = new Pixels(SIZE, SIZE, square.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE));
        float[] out = new float[3 * SIZE * SIZE];
        new EvalTransform(SIZE).centre(p, out, 0);
        return out;
    }

    @Test
    void pngRgbIsResizedToChwAndNormalisedWithImageNetStatistics() throws Exception {
        float[] x = decode(encode(solid(BufferedImage.TYPE_INT_RGB, 300, 200, new Color(200, 100, 50)), "png"));
        assertEquals(3 * SIZE * SIZE, x.length);
        assertPlanes(x, 200, 100, 50, 1e-4);
    }

    @Test
    void jpegDecodesWithinCompressionError() throws Exception {
        float[] x = decode(encode(solid(BufferedImage.TYPE_INT_RGB, 500, 375, new Color(30, 160, 220)), "jpeg"));
        assertPlanes(x, 30, 160, 220, 4 / 255f / 0.224f);
    }

    @Test
    void channelsAreInRgbOrderAndLaidOutChw() throws Exception {
        // Left half red, right half blue: R plane high on the left, B plane high on the right.
        BufferedImage img = solid(BufferedImage.TYPE_INT_RGB, 134, 134, Color.RED);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(67, 0, 67, 134);
        g.dispose();
        float[] x = decode(encode(img, "png"));
        int plane = SIZE * SIZE;
        int leftPixel = 30 * SIZE + 5;
        int rightPixel = 30 * SIZE + 60;
        assertEquals(norm(255, 0), x[leftPixel], 1e-4);
        assertEquals(norm(0, 0), x[rightPixel], 1e-4);
        assertEquals(norm(0, 2), x[2 * plane + leftPixel], 1e-4);
        assertEquals(norm(255, 2), x[2 * plane + rightPixel], 1e-4);
    }

    @Test
    void greyscaleLevelsAreCopiedToAllThreeChannelsUnchanged() throws Exception {
        BufferedImage grey = new BufferedImage(80, 90, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = grey.getRaster();
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 80; x++) {
                r.setSample(x, y, 0, 128);
            }
        }
        assertPlanes(decode(encode(grey, "png")), 128, 128, 128, 1e-4);
        assertPlanes(decode(encode(grey, "jpeg")), 128, 128, 128, 2 / 255f / 0.224f);
    }

    @Test
    void paletteAndAlphaPngsBecomeRgbLikePilConvert() throws Exception {
        BufferedImage palette = solid(BufferedImage.TYPE_BYTE_INDEXED, 100, 100, Color.GREEN);
        assertPlanes(decode(encode(palette, "png")), 0, 255, 0, 1e-4);

        BufferedImage alpha = new BufferedImage(100, 100, BufferedImage.TYPE_INT_ARGB);
        int argb = (64 << 24) | (10 << 16) | (120 << 8) | 240;   // mostly transparent
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 100; x++) {
                alpha.setRGB(x, y, argb);
            }
        }
        assertPlanes(decode(encode(alpha, "png")), 10, 120, 240, 1e-4);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel cm = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(120, 100);
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 120; x++) {
                raster.setPixel(x, y, new int[] {0, 255, 255, 0});   // magenta + yellow ink = red
            }
        }
        BufferedImage img = new BufferedImage(cm, raster, false, null);
        byte[] bytes = encode(img, "jpeg");
        try (var in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            var reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(ColorSpace.TYPE_CMYK, reader.getRawImageType(0).getColorModel().getColorSpace().getType(),
                    "the test image must really be a CMYK JPEG");
        }
        float[] x = decode(bytes);
        int plane = SIZE * SIZE;
        int mid = 33 * SIZE + 33;
        float r = x[mid] * 0.229f + 0.485f;
        float g = x[plane + mid] * 0.224f + 0.456f;
        float b = x[2 * plane + mid] * 0.225f + 0.406f;
        assertTrue(r > 0.7f && g < 0.35f && b < 0.35f, "CMYK red decoded as rgb(" + r + ", " + g + ", " + b + ")");
    }

    @Test
    void theCacheKeepsTheCentreSquareOfTheShorterSideAsJpeg() throws Exception {
        // 300x200: left third red, middle third green, right third blue; the centre square is the
        // middle 200x200, mostly green, with red and blue strips 50 pixels wide on either side.
        BufferedImage img = solid(BufferedImage.TYPE_INT_RGB, 300, 200, Color.GREEN);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 100, 200);
        g.setColor(Color.BLUE);
        g.fillRect(200, 0, 100, 200);
        g.dispose();
        BufferedImage square = ImageDecoder.centreSquare(ImageDecoder.decodeRgb(encode(img, "png")), 100);
        assertEquals(100, square.getWidth());
        assertEquals(100, square.getHeight());
        assertEquals(0xFF0000, square.getRGB(10, 50) & 0xFFFFFF, "scaled 0.5: x 0-24 is the red strip");
        assertEquals(0x00FF00, square.getRGB(50, 50) & 0xFFFFFF);
        assertEquals(0x0000FF, square.getRGB(90, 50) & 0xFFFFFF);

        byte[] jpeg = ImageDecoder.encodeJpeg(square, ImageCache.JPEG_QUALITY);
        Pixels back = ImageDecoder.decodeCached(jpeg);
        assertEquals(100, back.width());
        int[] want = {0xFF0000, 0x00FF00, 0x0000FF};
        int[] xs = {10, 50, 90};
        for (int i = 0; i < 3; i++) {
            int p = back.at(xs[i], 50);
            for (int shift = 0; shift <= 16; shift += 8) {
                assertEquals((want[i] >>> shift) & 0xFF, (p >>> shift) & 0xFF, 6, "JPEG at quality 0.95 stays close");
            }
        }
        assertTrue(jpeg.length < 100 * 100 * 3 / 10, "a tenth of raw bytes or less: " + jpeg.length);
    }

    @Test
    void unusableBytesAreReportedWithAReason() {
        var empty = assertThrows(ImageDecoder.DecodeException.class, () -> decode(new byte[0]));
        assertEquals(SkipReason.EMPTY_FILE, empty.reason());
        var text = assertThrows(ImageDecoder.DecodeException.class,
                () -> decode("this is not a JPEG".getBytes()));
        assertEquals(SkipReason.NOT_AN_IMAGE, text.reason());
    }

    static void assertPlanes(float[] x, int r, int g, int b, double tolerance) {
        int plane = SIZE * SIZE;
        int[] rgb = {r, g, b};
        for (int c = 0; c < 3; c++) {
            float want = norm(rgb[c], c);
            for (int i = 0; i < plane; i += 97) {
                assertEquals(want, x[c * plane + i], tolerance, "channel " + c + " pixel " + i);
            }
        }
    }

    static float norm(int v, int channel) {
        return (v / 255f - Pixels.MEAN[channel]) / Pixels.STD[channel];
    }

    static BufferedImage solid(int type, int w, int h, Color color) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no writer for " + format + " " + img.getType());
        return out.toByteArray();
    }
}
