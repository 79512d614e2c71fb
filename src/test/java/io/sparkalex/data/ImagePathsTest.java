package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a CSV file name could reach outside the image root is refused; ordinary names are not. */
class ImagePathsTest {
    static final Path ROOT = new Path("hdfs://nn:8020/data/images");

    @ParameterizedTest
    @ValueSource(strings = {
            "../secret.JPEG", "a/../../secret.JPEG", "a/..", "..", "./a.JPEG", "a/./b.JPEG",  // dot segments
            "/etc/passwd", "//other-host/x.JPEG",                                         // absolute
            "file:///etc/passwd", "hdfs://nn:8020/other/x.JPEG", "s3a://bucket/x.JPEG", "C:/x.JPEG",  // schemes
            "a\\..\\..\\secret.JPEG", "..\\secret.JPEG",                                   // backslashes
            "a\0.JPEG", "", "   "})                                                         // NUL, empty
    void namesThatCouldLeaveTheRootAreRefused(String name) {
        assertNull(ImagePaths.resolve(ROOT, name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"n02091244_1.JPEG", "sub/dir/n02091244_2.png", " n02091244_3.JPEG ", "a..b.JPEG",
            "%2e%2e/x.JPEG", "..%2fx.JPEG", "%2E%2E%2Fsecret.JPEG", "...JPEG"})
    void ordinaryAndPercentEncodedNamesStayUnderTheRoot(String name) {
        Path p = ImagePaths.resolve(ROOT, name);
        assertTrue(p != null && p.toUri().getPath().startsWith(ROOT.toUri().getPath() + "/"), name + " -> " + p);
        assertEquals(ROOT.toUri().getAuthority(), p.toUri().getAuthority(), "same file system");
        // Percent signs are literal characters of a file name: Hadoop escapes them, never decodes them.
        assertFalse(p.toUri().getPath().contains("/../"), p.toString());
    }

    @Test
    void symbolicLinksOutOfTheRootAreRefusedOnLocalDisk(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path root = Files.createDirectories(tmp.resolve("images"));
        java.nio.file.Path outside = Files.writeString(tmp.resolve("secret.JPEG"), "x");
        Files.writeString(root.resolve("inside.JPEG"), "x");
        Files.createDirectories(root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("escape.JPEG"), outside);
        Files.createSymbolicLink(root.resolve("alias.JPEG"), root.resolve("inside.JPEG"));
        Files.createSymbolicLink(root.resolve("sub/up"), tmp);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path r = new Path(root.toUri());

        assertTrue(ImagePaths.linksOutside(fs, r, ImagePaths.resolve(r, "escape.JPEG")), "link to a file outside");
        assertTrue(ImagePaths.linksOutside(fs, r, ImagePaths.resolve(r, "sub/up/secret.JPEG")),
                "a linked directory that leads outside");
        assertFalse(ImagePaths.linksOutside(fs, r, ImagePaths.resolve(r, "inside.JPEG")));
        assertFalse(ImagePaths.linksOutside(fs, r, ImagePaths.resolve(r, "alias.JPEG")), "a link that stays inside");
        assertFalse(ImagePaths.linksOutside(fs, r, ImagePaths.resolve(r, "missing.JPEG")),
                "a missing file is reported missing when opened, not as unsafe");
    }

    @Test
    void aRootThatIsItselfALinkStillHoldsItsFiles(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path real = Files.createDirectories(tmp.resolve("real"));
        Files.writeString(real.resolve("a.JPEG"), "x");
        java.nio.file.Path linked = Files.createSymbolicLink(tmp.resolve("linked"), real);
        Path r = new Path(linked.toUri());
        FileSystem fs = FileSystem.getLocal(new Configuration());
        assertFalse(ImagePaths.linksOutside(fs, r, ImagePaths.resolve(r, "a.JPEG")));
    }
}
