package io.sparkalex.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkalex.cli.ExitCode;
import io.sparkalex.cli.Main;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.SkipReason;
import io.sparkalex.storage.Json;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A data set with every kind of bad row: each is skipped, counted and listed; too many stop the job. */
class BadDataTest {
    @TempDir
    static Path tmp;
    static SampleData sample;
    static Path data;
    static Path csv;

    @BeforeAll
    static void corruptDataSet() throws Exception {
        TestSpark.session();   // `train` through Main reuses the running session
        sample = SampleData.write(tmp.resolve("data"), 3, 20, 5);
        data = sample.dir();
        Path images = sample.images();
        Path aJpeg;
        try (var files = Files.list(images)) {
            aJpeg = files.filter(f -> f.toString().endsWith(".JPEG")).sorted().findFirst().orElseThrow();
        }
        byte[] jpeg = Files.readAllBytes(aJpeg);
        Files.write(images.resolve("n02091244_empty.JPEG"), new byte[0]);
        Files.write(images.resolve("n02091244_trunc.JPEG"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.writeString(images.resolve("n02091244_text.jpg"), "<html>not an image</html>");
        Files.write(images.resolve("n02091244_anim.png"), encode(new BufferedImage(40, 40,
                BufferedImage.TYPE_BYTE_INDEXED), "gif"));
        Files.write(images.resolve("n02091244_tiny.png"), encode(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png"));
        Files.write(images.resolve("n02091244_huge.png"), encode(new BufferedImage(10_001, 10_001,
                BufferedImage.TYPE_BYTE_BINARY), "png"));
        Files.write(images.resolve("nolabel.JPEG"), jpeg);
        Files.write(tmp.resolve("n02091244_outside.JPEG"), jpeg);
        Files.createSymbolicLink(images.resolve("n02091244_link.JPEG"), tmp.resolve("n02091244_outside.JPEG"));
        StringBuilder rows = new StringBuilder(Files.readString(sample.csv()));
        int i = 1000;
        for (String name : new String[] {"n02091244_empty.JPEG", "n02091244_trunc.JPEG", "n02091244_text.jpg",
                "n02091244_anim.png", "n02091244_missing.JPEG", "n02091244_tiny.png", "n02091244_huge.png",
                "nolabel.JPEG", "../../n02091244_outside.JPEG", tmp.resolve("n02091244_outside.JPEG").toString(),
                tmp.resolve("n02091244_outside.JPEG").toUri().toString(), "n02091244_link.JPEG"}) {
            rows.append(i++).append(',').append(name).append(",train\n");
        }
        csv = data.resolve("corrupt.csv");
        Files.writeString(csv, rows.toString());
    }

    static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out));
        return out.toByteArray();
    }

    @Test
    void badRowsAreSkippedCountedAndListedAndTheGoodOnesTrain() throws Exception {
        Path out = tmp.resolve("out-lenient");
        JobConfig config = TinyConfig.with("batch_size", "16", "max_bad_fraction", "0.2");
        TrainingJob.Result r = new TrainingJob(TestSpark.session(), config, new Locations(csv.toUri().toString(),
                sample.images().toUri().toString(), out.toUri().toString(), null), false).run();
        assertEquals(1, r.history().size(), "trained on the good rows");
        assertEquals(42, r.history().get(0).trainImages());

        JsonNode report = Json.MAPPER.readTree(Files.readString(out.resolve("data-report.json")));
        assertEquals(72, report.path("rows").asLong());
        assertEquals(60, report.path("used").asLong());
        assertEquals(12, report.path("skipped").asLong());
        JsonNode reasons = report.path("splits").path("train").path("skipped_by_reason");
        Map<SkipReason, String> expected = Map.of(
                SkipReason.EMPTY_FILE, "n02091244_empty.JPEG",
                SkipReason.CORRUPT, "n02091244_trunc.JPEG",
                SkipReason.NOT_AN_IMAGE, "n02091244_text.jpg",
                SkipReason.UNSUPPORTED_FORMAT, "n02091244_anim.png",
                SkipReason.MISSING_FILE, "n02091244_missing.JPEG",
                SkipReason.TOO_SMALL, "n02091244_tiny.png",
                SkipReason.TOO_LARGE, "n02091244_huge.png",
                SkipReason.NO_LABEL, "nolabel.JPEG");
        expected.forEach((reason, file) -> {
            JsonNode e = reasons.path(reason.name().toLowerCase());
            assertEquals(1, e.path("count").asInt(), reason + " in " + reasons);
            assertTrue(e.path("examples").get(0).asText().startsWith(file), reason + ": " + e);
        });
        JsonNode unsafe = reasons.path("unsafe_path");
        assertEquals(4, unsafe.path("count").asInt(), unsafe.toString());
        assertEquals(4, unsafe.path("examples").size());
    }

    @Test
    void aShareOfBadRowsAboveTheThresholdIsADataErrorBeforeTraining() throws Exception {
        Path out = tmp.resolve("out-strict");
        List<String> args = new ArrayList<>(List.of("train", "--csv", csv.toUri().toString(),
                "--images", sample.images().toUri().toString(), "--out", out.toUri().toString()));
        args.addAll(TinyConfig.flags("max_bad_fraction", "0.01"));
        int code = Main.execute(args.toArray(String[]::new));
        assertEquals(ExitCode.DATA, code);
        assertTrue(Files.exists(out.resolve("data-report.json")), "the report explains the stop");
        assertTrue(!Files.exists(out.resolve("latest.zip")), "nothing trained");
    }
}
