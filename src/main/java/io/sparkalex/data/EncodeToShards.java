package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Executor side of building the image cache: reads each row's image through the Hadoop
 * FileSystem ({@link ImageFiles}), decodes it, scales its shorter side to the cache's size and keeps the centre
 * square, re-encodes it as JPEG and writes shards of a few hundred images. Runs once per data
 * set, not once per run or epoch, and never on the driver. Rows that cannot be used are skipped
 * and counted, not fatal.
 */
final class EncodeToShards implements Function2<Integer, Iterator<Row>, Iterator<EncodedPartition>> {
    private static final long serialVersionUID = 1L;

    private final String imageRoot;
    private final String splitDir;
    private final int side;
    private final float quality;
    private final int shardSize;
    private final long maxImageBytes;
    private final Map<String, Integer> classIndex;
    private final org.apache.spark.util.LongAccumulator progress;
    private final SerializableConfiguration hadoopConf;

    /** @param progress counts the rows read (the build's progress line) */
    EncodeToShards(String imageRoot, String splitDir, ImageCache.Settings settings, Map<String, Integer> classIndex,
                   Configuration hadoopConf, org.apache.spark.util.LongAccumulator progress) {
        this.progress = progress;
        this.imageRoot = imageRoot;
        this.splitDir = splitDir;
        this.side = settings.resizeSize();
        this.quality = settings.quality();
        this.shardSize = settings.shardSize();
        this.maxImageBytes = settings.maxImageBytes();
        this.classIndex = Map.copyOf(classIndex);
        this.hadoopConf = new SerializableConfiguration(hadoopConf);
    }

    @Override
    public Iterator<EncodedPartition> call(Integer task, Iterator<Row> rows) throws IOException {
        Configuration conf = hadoopConf.value();
        Path root = new Path(imageRoot);
        FileSystem imageFs = ImageFiles.fileSystem(root, conf);
        Path dir = new Path(splitDir);
        FileSystem outFs = dir.getFileSystem(conf);
        DataReport report = new DataReport();
        List<ShardInfo> shards = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        int[] labels = new int[shardSize];
        Iterator<Row> counted = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                progress.add(1);
                return rows.next();
            }
        };
        LabelledImages source = new LabelledImages(counted, imageFs, root, classIndex, side, maxImageBytes, report);
        for (LabelledImages.Image image = source.next(); image != null; image = source.next()) {
            images.add(ImageDecoder.encodeJpeg(image.loaded().square(), quality));
            labels[images.size() - 1] = image.classId();
            if (images.size() == shardSize) {
                shards.add(write(outFs, dir, task, shards.size(), images, labels));
                images.clear();
            }
        }
        if (!images.isEmpty()) {
            shards.add(write(outFs, dir, task, shards.size(), images, labels));
        }
        return List.of(new EncodedPartition(shards, report)).iterator();
    }

    /** A retried task writes the same names again, replacing what a failed attempt left. */
    private static ShardInfo write(FileSystem fs, Path dir, int task, int part, List<byte[]> images, int[] labels)
            throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(dir, ShardInfo.fileName(task, part)), true)) {
            ShardFile.write(out, images, labels);
        }
        return new ShardInfo(task, part, images.size());
    }
}
