package io.sparkalex.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Interrupted writes leave the previous file whole; on local disk (HDFS: ClusterIT). */
public class AtomicFilesTest {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void aWriteThatDiesHalfWayLeavesTheOldFileAndNoTemporary() throws Exception {
        FileSystem fs = AtomicFiles.fileSystem(new Path(dir.toUri()), new Configuration());
        assertInterruptedWriteKeepsOldContent(fs, new Path(dir.toUri()));
        assertFalse(Files.exists(dir.resolve(".f.crc")), "no checksum side files on local disk");
    }

    /** Shared with the HDFS integration test. */
    public static void assertInterruptedWriteKeepsOldContent(FileSystem fs, Path dir) throws Exception {
        Path target = new Path(dir, "f");
        AtomicFiles.writeString(fs, target, "old, complete\n");
        IOException crash = assertThrows(IOException.class, () -> AtomicFiles.write(fs, target, out -> {
            out.write("new, but only ha".getBytes());
            throw new IOException("simulated crash mid-write");
        }));
        assertEquals("simulated crash mid-write", crash.getMessage());
        assertEquals("old, complete\n", AtomicFiles.readString(fs, target));
        assertEquals(1, fs.listStatus(dir).length, "the temporary is gone");

        AtomicFiles.writeString(fs, target, "new, complete\n");
        assertEquals("new, complete\n", AtomicFiles.readString(fs, target), "replaces an existing file");

        // A writer killed outright leaves its temporary; the next start removes it.
        try (var out = fs.create(new Path(dir, "_tmp-dead-f"))) {
            out.write(1);
        }
        AtomicFiles.cleanTemporaries(fs, dir);
        assertEquals(1, fs.listStatus(dir).length);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"file, true", "hdfs, true", "viewfs, true", "s3a, false",
        "S3A, false", "gs, false", "abfs, false", "abfss, false", "wasb, false"})
    void objectStoresAreWrittenDirectlyAndFileSystemsThroughARename(String scheme, boolean renames) {
        org.junit.jupiter.api.Assertions.assertEquals(renames, AtomicFiles.renamesAtomically(scheme));
    }
}
