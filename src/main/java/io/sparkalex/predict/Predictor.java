package io.sparkalex.predict;

import io.sparkalex.data.ImageFiles;
import io.sparkalex.data.Pixels;
import io.sparkalex.data.SkipReason;
import io.sparkalex.eval.BatchedInference;
import io.sparkalex.eval.CropInference;
import io.sparkalex.eval.ModelInput;
import io.sparkalex.eval.SavedModel;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Scores image files with a trained network and keeps each image's top-k classes; an image that
 * cannot be read or decoded becomes a row with an error, never a failure. The same code runs in
 * one JVM for a few images and in each Spark task for many ({@link PredictImages}).
 */
public final class Predictor {
    /**
     * An image to score: the name it is reported under and where its pixels come from (a file, the
     * bytes of one, or an already decoded image), or why it cannot be read.
     */
    public record Input(String name, Source source, String error) {
        /** Reads the image as the square the model sees, or says why it cannot. */
        @FunctionalInterface
        public interface Source {
            ImageFiles.Loaded load(int side, long maxBytes);
        }

        public static Input at(String name, FileSystem fs, Path path) {
            return path == null ? refused(name, SkipReason.UNSAFE_PATH.name().toLowerCase(Locale.ROOT) + ": "
                    + SkipReason.UNSAFE_PATH.description())
                    : new Input(name, (side, max) -> ImageFiles.read(fs, path, side, max), null);
        }

        /** An image file's bytes (Spark's {@code binaryFile} content), decoded as a file read from disk is. */
        public static Input bytes(String name, byte[] bytes) {
            return new Input(name, (side, max) -> ImageFiles.decode(bytes, side, max), null);
        }

        /** An image decoded elsewhere (Spark's {@code image} source), only scaled and cropped here. */
        public static Input decoded(String name, java.awt.image.BufferedImage rgb) {
            return new Input(name, (side, max) -> ImageFiles.square(rgb, side), null);
        }

        public static Input refused(String name, String error) {
            return new Input(name, null, error);
        }
    }

    /** How the model sees an image and how many classes to keep. */
    public record Settings(List<String> classes, Map<String, String> names, int imageSize, int resizeSize, int crops,
                           int batchSize, int topK, long maxImageBytes) implements java.io.Serializable {
        /** As the saved model sees its images, with {@code crops} crops and the top {@code topK} classes kept. */
        public static Settings of(SavedModel saved, int crops, int topK) {
            ModelInput in = saved.input();
            return new Settings(saved.classes(), saved.names(), in.imageSize(), in.resizeSize(), crops, in.batchSize(),
                    topK, in.maxImageBytes());
        }
    }

    private final Settings settings;
    private final CropInference inference;

    public Predictor(MultiLayerNetwork network, Settings settings) {
        this.settings = settings;
        this.inference = new CropInference(network, settings.imageSize(), settings.crops());
    }

    /** The predictions of every input, in input order. */
    public List<Prediction> predict(Iterator<Input> inputs) {
        List<Prediction> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        BatchedInference<Integer> batches = new BatchedInference<>(inference, settings.batchSize(), (index, p) -> {
            for (int i = 0; i < index.size(); i++) {
                out.set(index.get(i), top(names.get(index.get(i)), p[i]));
            }
        });
        while (inputs.hasNext()) {
            Input in = inputs.next();
            out.add(null);
            names.add(in.name());
            if (in.error() != null) {
                out.set(out.size() - 1, Prediction.failed(in.name(), in.error()));
                continue;
            }
            ImageFiles.Loaded image = in.source().load(settings.resizeSize(), settings.maxImageBytes());
            if (image.ok()) {
                batches.add(out.size() - 1, Pixels.of(image.square()));
            } else {
                out.set(out.size() - 1, Prediction.failed(in.name(), image.error()));
            }
        }
        batches.flush();
        return out;
    }

    private Prediction top(String name, float[] p) {
        int k = Math.min(settings.topK(), p.length);
        int[] best = IntStream.range(0, p.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(c -> -p[c]).thenComparing(c -> c))
                .limit(k).mapToInt(Integer::intValue).toArray();
        List<String> ids = Arrays.stream(best).mapToObj(settings.classes()::get).toList();
        return new Prediction(name, ids, ids.stream().map(id -> settings.names().getOrDefault(id, id)).toList(),
                Arrays.stream(best).mapToObj(c -> p[c]).toList(), null);
    }
}
