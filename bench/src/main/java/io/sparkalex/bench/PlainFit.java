package io.sparkalex.bench;

import io.sparkalex.data.EvalTransform;
import io.sparkalex.data.ImageCache;
import io.sparkalex.data.ImageDecoder;
import io.sparkalex.data.SampleDataGenerator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The single-JVM baseline: the job's network trained with plain {@code MultiLayerNetwork.fit}
 * on minibatches that went through the job's own image pipeline, no Spark involved.
 */
final class PlainFit {
    private PlainFit() {
    }

    static List<Path> trainFiles(Path data, int perClass) throws Exception {
        List<Path> out = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve(SampleDataGenerator.CSV)).subList(1, 10 * perClass + 1)) {
            String[] f = line.split(",");
            if (f[2].equals("train")) {
                out.add(data.resolve(SampleDataGenerator.IMAGES).resolve(f[1]));
            }
        }
        return out;
    }

    /** The minibatches of the job's own pipeline: the cache's square, JPEG, centre crop, normalised. */
    static List<DataSet> decodeBatches(List<Path> files, int imageSize, int resize, int batchSize) throws Exception {
        EvalTransform centre = new EvalTransform(imageSize);
        int per = 3 * imageSize * imageSize;
        List<DataSet> out = new ArrayList<>();
        for (int start = 0; start + batchSize <= files.size(); start += batchSize) {
            float[] x = new float[batchSize * per];
            float[] y = new float[batchSize * 10];
            for (int i = 0; i < batchSize; i++) {
                Path f = files.get(start + i);
                byte[] jpeg = ImageDecoder.encodeJpeg(ImageDecoder.centreSquare(
                        ImageDecoder.decodeRgb(Files.readAllBytes(f)), resize), ImageCache.JPEG_QUALITY);
                centre.centre(ImageDecoder.decodeCached(jpeg), x, i * per);
                y[i * 10 + classOf(f.getFileName().toString())] = 1;
            }
            out.add(new DataSet(Nd4j.create(x, new long[] {batchSize, 3, imageSize, imageSize}, 'c'),
                    Nd4j.create(y, new long[] {batchSize, 10}, 'c')));
        }
        return out;
    }

    static int classOf(String fileName) {
        for (int c = 0; c < SampleDataGenerator.CLASSES.length; c++) {
            if (fileName.startsWith(SampleDataGenerator.CLASSES[c][0])) {
                return c;
            }
        }
        throw new IllegalArgumentException(fileName);
    }

    /** One warm-up step, then every batch once; images per second of the timed steps. */
    static double plainFit(MultiLayerConfiguration conf, List<DataSet> batches) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        net.fit(batches.get(0));
        long t = System.nanoTime();
        long images = 0;
        for (DataSet ds : batches) {
            net.fit(ds);
            images += ds.numExamples();
        }
        return images / ((System.nanoTime() - t) / 1e9);
    }
}
