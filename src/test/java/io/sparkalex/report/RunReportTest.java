package io.sparkalex.report;

import io.sparkalex.config.JobConfig;
import io.sparkalex.testing.HeadlessChromium;
import io.sparkalex.testing.SampleData;
import io.sparkalex.testing.TestSpark;
import io.sparkalex.testing.TinyConfig;
import io.sparkalex.testing.ToyModel;
import io.sparkalex.train.TrainingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The charts and {@code report.html} a run leaves in --out, read as a person would: PNGs and a browser. */
class RunReportTest {
    @TempDir
    Path tmp;

    @Test
    void everyChartIsAPngOfRealSize() throws Exception {
        Path charts = ToyModel.get().out().resolve(ReportFiles.CHARTS);
        for (String name : Charts.EPOCH_CHARTS) {
            BufferedImage img = ImageIO.read(charts.resolve(name).toFile());
            assertEquals(640, img.getWidth(), name);
            assertEquals(400, img.getHeight(), name);
            assertTrue(colours(img) > 20, name + " has lines and text, not one flat colour");
        }
    }

    @Test
    void theReportRendersOfflineInChromiumWithItsTableAndEveryChart() throws Exception {
        ToyModel toy = ToyModel.get();
        Path page = toy.out().resolve(ReportFiles.REPORT);
        String html = Files.readString(page);
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(?!data:)", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "nothing is loaded from outside the page");
        assertFalse(html.contains("http://") || html.contains("https://"), "no network address in the page");

        String dom = HeadlessChromium.dumpDom(page);
        assertEquals(ToyModel.EPOCHS, count(dom, "<tr class=\"epoch"), "one table row per epoch");
        assertEquals(1, count(dom, "<tr class=\"epoch best"), "the best epoch is marked");
        assertEquals(3, count(dom, "<tr class=\"class\""), "the per-class table of the test evaluation");
        Matcher decoded = Pattern.compile("<img class=\"chart\" data-name=\"([^\"]+)\"[^>]*data-decoded=\"(\\d+)x(\\d+)\"")
                .matcher(dom);
        Set<String> shown = new HashSet<>();
        while (decoded.find()) {
            assertTrue(Integer.parseInt(decoded.group(2)) >= 400, decoded.group());
            shown.add(decoded.group(1));
        }
        Set<String> expected = new HashSet<>(Charts.EPOCH_CHARTS);
        expected.add("confusion-test.png");
        assertEquals(expected, shown, "every chart decoded by the browser");

        Path shot = tmp.resolve("report.png");
        HeadlessChromium.screenshot(page, shot, 1280, 2000);
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1280, img.getWidth());
        assertTrue(colours(img) > 200, "a rendered page, not a blank one: " + colours(img) + " colours");
        assertTrue(nonWhiteShare(img) > 0.05, "non-white share " + nonWhiteShare(img));
    }

    @Test
    void chartsAndReportAreRedrawnWhenAnEpochLands() throws Exception {
        SampleData data = SampleData.write(tmp.resolve("data"), 3, 10, 9);
        Path out = tmp.resolve("run");
        run(data, out, 1);
        byte[] loss1 = Files.readAllBytes(out.resolve(ReportFiles.CHARTS).resolve("loss.png"));
        String report1 = Files.readString(out.resolve(ReportFiles.REPORT));
        assertEquals(1, count(report1, "<tr class=\"epoch"));
        assertTrue(report1.contains("finished: 1 of 1 epochs"));

        run(data, out, 2);   // resumes: one more epoch
        byte[] loss2 = Files.readAllBytes(out.resolve(ReportFiles.CHARTS).resolve("loss.png"));
        String report2 = Files.readString(out.resolve(ReportFiles.REPORT));
        assertFalse(java.util.Arrays.equals(loss1, loss2), "loss.png redrawn with the second epoch");
        assertEquals(2, count(report2, "<tr class=\"epoch"));
        assertTrue(report2.contains("finished: 2 of 2 epochs"), "status line");
        assertArrayEquals(new int[] {640, 400}, size(out.resolve(ReportFiles.CHARTS).resolve("loss.png")));
    }

    private static void run(SampleData data, Path out, int epochs) throws Exception {
        JobConfig config = TinyConfig.with("epochs", Integer.toString(epochs), "batch_size", "8");
        new TrainingJob(TestSpark.session(), config, data.locations(out), false).run();
    }

    private static int[] size(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        return new int[] {img.getWidth(), img.getHeight()};
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static int colours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                seen.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return seen.size();
    }

    private static double nonWhiteShare(BufferedImage img) {
        long nonWhite = 0;
        long all = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                all++;
                nonWhite += (img.getRGB(x, y) & 0xFFFFFF) == 0xFFFFFF ? 0 : 1;
            }
        }
        return nonWhite / (double) all;
    }
}
