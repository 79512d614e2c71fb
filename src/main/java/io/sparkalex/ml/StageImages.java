package io.sparkalex.ml;

import io.sparkalex.storage.AtomicFiles;
import io.sparkalex.storage.FileDigest;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * Executor side of {@link TrainingInput} for images held in the DataFrame (file content or image
 * structs): each image written once as a file under the staging folder, named by the SHA-256 of
 * its bytes (so a rerun or a task retry finds it there and writes nothing), and its row turned into
 * the CSV row {@code train} reads: {@code (filename, label, split)}. Image structs are written as
 * PNG, losslessly. A row without an image, or with a struct Spark could not decode, names a file
 * that does not exist: the cache build counts it as a missing file, as it counts a CSV's.
 */
record StageImages(ImageColumn kind, String stagingDir, SerializableConfiguration hadoop)
        implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) throws IOException {
        Path dir = new Path(stagingDir);
        FileSystem fs = AtomicFiles.fileSystem(dir, hadoop.value());
        int partition = TaskContext.getPartitionId();
        int[] seen = {0};
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                String name;
                try {
                    name = stage(row, fs, dir, partition, seen[0]++);
                } catch (IOException e) {
                    throw new UncheckedIOException("staging an image under " + stagingDir, e);
                }
                return RowFactory.create(name, row.get(1), row.get(2));
            }
        };
    }

    /** The row's image written (unless already there) and its file name; a missing name when it has none. */
    private String stage(Row row, FileSystem fs, Path dir, int partition, int index) throws IOException {
        byte[] bytes = row.isNullAt(0) ? null : kind == ImageColumn.FILE_BYTES ? row.getAs(0) : png(row.getStruct(0));
        if (bytes == null) {
            return "no-image-" + partition + "-" + index;
        }
        String name = FileDigest.sha256(bytes) + (kind == ImageColumn.IMAGE_STRUCTS ? ".png" : "");
        Path file = new Path(dir, name);
        if (!fs.exists(file)) {
            AtomicFiles.write(fs, file, out -> out.write(bytes), false);
        }
        return name;
    }

    private static byte[] png(Row image) throws IOException {
        BufferedImage rgb = ImageColumn.toRgb(image);
        if (rgb == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgb, "png", out);
        return out.toByteArray();
    }
}
