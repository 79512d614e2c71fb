package io.sparkalex.ml;

import io.sparkalex.storage.AtomicFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How {@link AlexNetClassificationModel} is saved and loaded as a Spark ML stage: Spark ML's own
 * params metadata ({@code <path>/metadata}, as every stage writes it, so that a
 * {@code PipelineModel} holding the model saves and loads) beside the DL4J zip that {@code train}
 * wrote ({@code <path>/model.zip}, copied as it is). A path that is itself a {@code train} zip
 * loads too, with default params.
 */
final class ModelPersistence {
    static final String ZIP = "model.zip";

    private ModelPersistence() {
    }

    static final class Writer extends MLWriter {
        private final AlexNetClassificationModel model;

        Writer(AlexNetClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
            Configuration conf = sc().hadoopConfiguration();
            try {
                Path from = new Path(model.modelUri());
                Path to = new Path(path, ZIP);
                FileSystem target = AtomicFiles.fileSystem(to, conf);
                if (!FileUtil.copy(AtomicFiles.fileSystem(from, conf), from, target, to, false, true, conf)) {
                    throw new IOException("could not copy " + from + " to " + to);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("saving the model to " + path, e);
            }
        }
    }

    static final class Reader extends MLReader<AlexNetClassificationModel> {
        @Override
        public AlexNetClassificationModel load(String path) {
            Configuration conf = sc().hadoopConfiguration();
            try {
                Path metadata = new Path(path, "metadata");
                if (!AtomicFiles.fileSystem(metadata, conf).exists(metadata)) {
                    return AlexNetClassificationModel.load(path, conf);   // a zip written by train
                }
                DefaultParamsReader.Metadata m = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(),
                        AlexNetClassificationModel.class.getName());
                AlexNetClassificationModel model = AlexNetClassificationModel.load(m.uid(),
                        new Path(path, ZIP).toString(), conf);
                m.getAndSetParams(model, Option.empty());
                return model;
            } catch (IOException e) {
                throw new UncheckedIOException("loading the model from " + path, e);
            }
        }
    }
}
