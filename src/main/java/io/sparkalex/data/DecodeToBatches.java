package io.sparkalex.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.apache.spark.util.SerializableConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Executor side of data preparation: reads each row's image through the Hadoop FileSystem,
 * decodes and normalises it, and writes full minibatches as serialized DL4J {@link DataSet} files
 * that the training master streams every epoch. Decoding therefore happens once per run, not once
 * per epoch, and never on the driver. Rows that cannot be used are skipped and counted, not fatal.
 */
final class DecodeToBatches implements Function2<Integer, Iterator<Row>, Iterator<DecodedPartition>> {
    private static final long serialVersionUID = 1L;

    private final String imageRoot;
    private final String outputDir;
    private final int imageSize;
    private final int batchSize;
    private final Map<String, Integer> classIndex;
    private final SerializableConfiguration hadoopConf;

    DecodeToBatches(String imageRoot, String outputDir, int imageSize, int batchSize,
                           Map<String, Integer> classIndex, Configuration hadoopConf) {
        this.imageRoot = imageRoot;
        this.outputDir = outputDir;
        this.imageSize = imageSize;
        this.batchSize = batchSize;
        this.classIndex = Map.copyOf(classIndex);
        this.hadoopConf = new SerializableConfiguration(hadoopConf);
    }

    @Override
    public Iterator<DecodedPartition> call(Integer partition, Iterator<Row> rows) throws IOException {
        Configuration conf = hadoopConf.value();
        Path root = new Path(imageRoot);
        FileSystem imageFs = root.getFileSystem(conf);
        Path outDir = new Path(outputDir);
        FileSystem outFs = outDir.getFileSystem(conf);
        ImageDecoder decoder = new ImageDecoder(imageSize);
        int perImage = 3 * imageSize * imageSize;
        int numClasses = classIndex.size();
        float[] features = new float[batchSize * perImage];
        float[] labels = new float[batchSize * numClasses];
        int filled = 0;
        DataReport report = new DataReport();
        List<BatchFile> batches = new ArrayList<>();

        while (rows.hasNext()) {
            Row row = rows.next();
            String filename = row.getString(0);
            Path path = ImagePaths.resolve(root, filename);
            if (path == null || ImagePaths.linksOutside(imageFs, root, path)) {   // first: never opened
                report.countSkipped(SkipReason.UNSAFE_PATH, String.valueOf(filename), null);
                continue;
            }
            String label = row.isNullAt(2) ? null : row.getString(2);
            Integer classId = label == null ? null : classIndex.get(label);
            if (classId == null) {
                report.countSkipped(SkipReason.NO_LABEL, filename, null);
                continue;
            }
            byte[] bytes;
            try (InputStream in = imageFs.open(path)) {
                bytes = in.readAllBytes();
            } catch (FileNotFoundException e) {
                report.countSkipped(SkipReason.MISSING_FILE, filename, null);
                continue;
            } catch (IOException e) {
                report.countSkipped(SkipReason.READ_ERROR, filename, e.getMessage());
                continue;
            }
            try {
                decoder.decode(bytes, features, filled * perImage);
            } catch (ImageDecoder.DecodeException e) {
                report.countSkipped(e.reason(), filename, e.getMessage());
                continue;
            }
            java.util.Arrays.fill(labels, filled * numClasses, (filled + 1) * numClasses, 0f);
            labels[filled * numClasses + classId] = 1f;
            report.countUsed();
            filled++;
            if (filled == batchSize) {
                batches.add(write(outFs, outDir, partition, batches.size(), features, labels, filled, perImage, numClasses));
                filled = 0;
            }
        }
        if (filled > 0) {
            batches.add(write(outFs, outDir, partition, batches.size(), features, labels, filled, perImage, numClasses));
        }
        return List.of(new DecodedPartition(batches, report)).iterator();
    }

    private BatchFile write(FileSystem fs, Path dir, int partition, int index, float[] features, float[] labels,
                            int n, int perImage, int numClasses) throws IOException {
        Path file = new Path(dir, String.format("part-%05d-%05d.bin", partition, index));
        float[] f = n * perImage == features.length ? features : java.util.Arrays.copyOf(features, n * perImage);
        float[] l = n * numClasses == labels.length ? labels : java.util.Arrays.copyOf(labels, n * numClasses);
        INDArray x = Nd4j.create(f, new long[] {n, 3, imageSize, imageSize}, 'c');
        INDArray y = Nd4j.create(l, new long[] {n, numClasses}, 'c');
        try (FSDataOutputStream out = fs.create(file, true)) {
            new DataSet(x, y).save(out);
        } finally {
            x.close();
            y.close();
        }
        return new BatchFile(file.toString(), n);
    }
}
