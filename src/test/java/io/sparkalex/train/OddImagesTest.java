package io.sparkalex.train;

import io.sparkalex.storage.Json;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No image is fatal: file names with a colon, a space, '%' and non-ASCII letters are read like
 * any other; a decompression bomb, a file over max_image_bytes are counted skips; a CSV written
 * by Windows (byte-order mark, CRLF line ends) reads as any other. The run trains on the rest.
 */
class OddImagesTest {
    @TempDir
    Path tmp;

    static final List<String> ODD_NAMES = List.of("n02091244_1:2.JPEG", "n02091244_with space.JPEG",
            "n02091244_100%.JPEG", "n02091244_ünïcødé.JPEG", "n02114548_x:y z%.JPEG");

    @Test
    void oddNamesAreReadAndABombAndAnOversizedFileAreCountedSkips() throws Exception {
        SampleData data = SampleData.write(tmp.resolve("data"), 2, 10, 3);
        Path images = data.images();
        List<String> lines = new ArrayList<>(Files.readAllLines(data.csv()));
        byte[] jpeg = Files.readAllBytes(images.resolve("n02091244_1.JPEG"));
        int row = 1000;
        for (String name : ODD_NAMES) {
            Files.write(images.resolve(name), jpeg);
            lines.add(row++ + "," + name + ",train");
        }
        Files.write(images.resolve("n02091244_bomb.png"), pngBomb(9000, 9000));
        lines.add(row++ + ",n02091244_bomb.png,train");
        byte[] big = new byte[4_000_000];
        System.arraycopy(jpeg, 0, big, 0, jpeg.length);   // a JPEG with 4 MB of trailing bytes
        Files.write(images.resolve("n02091244_big.JPEG"), big);
        lines.add(row + ",n02091244_big.JPEG,train");
        // As a Windows tool writes it: UTF-8 with a byte-order mark, CRLF line ends.
        Files.writeString(data.csv(), "\uFEFF" + String.join("\r\n", lines) + "\r\n", StandardCharsets.UTF_8);
        Files.deleteIfExists(data.csv().resolveSibling("." + data.csv().getFileName() + ".crc"));   // Hadoop's checksum

        Path out = tmp.resolve("out");
        new TrainingJob(TestSpark.session(), TinyConfig.with("batch_size", "8", "max_bad_fraction", "0.2",
                "max_image_bytes", "3500000"), data.locations(out), false).run();

        var report = Json.MAPPER.readTree(Files.readString(out.resolve("data-report.json")));
        var train = report.path("splits").path("train");
        assertEquals(14 + ODD_NAMES.size() + 2, train.path("rows").asInt(), report.toPrettyString());
        assertEquals(14 + ODD_NAMES.size(), train.path("used").asInt(), "every odd name was read: " + report);
        var reasons = report.path("skipped_by_reason");
        assertEquals(1, reasons.path("too_large").path("count").asInt(), report.toPrettyString());
        assertTrue(reasons.path("too_large").path("examples").get(0).asText().contains("n02091244_bomb.png"));
        assertTrue(reasons.path("too_large").path("examples").get(0).asText().contains("MB"), "says why");
        assertEquals(1, reasons.path("file_too_large").path("count").asInt(), report.toPrettyString());
        assertEquals(2, reasons.size(), "nothing else was skipped: " + reasons);
        assertTrue(Files.exists(out.resolve("latest.zip")), "and the run trained");
    }

    /**
     * A PNG of {@code w x h} 16-bit RGBA pixels, all zero: a few hundred kB that decode to
     * w x h x 8 bytes (648 MB for 9000 x 9000), plus the RGB copy. Written chunk by chunk.
     */
    static byte[] pngBomb(int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_SPEED), 1 << 16)) {
            byte[] rowBytes = new byte[1 + w * 8];   // filter byte 0, then the row
            for (int y = 0; y < h; y++) {
                z.write(rowBytes);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.writeByte(16);   // bit depth
        d.writeByte(6);    // RGBA
        d.writeByte(0);
        d.writeByte(0);
        d.writeByte(0);
        chunk(png, "IHDR", ihdr.toByteArray());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(png);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
