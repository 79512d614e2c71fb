package io.sparkalex.ml;

import io.sparkalex.eval.ModelBroadcast;
import io.sparkalex.eval.SavedModel;
import io.sparkalex.predict.Predictor;
import io.sparkalex.train.SavedModels;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;

/**
 * A trained AlexNet as a Spark ML {@link Model}: {@code transform} scores the images of a column
 * of paths (relative to {@code imagesRoot}, or URIs) on the executors with the same predictor as
 * {@code predict}, and appends Spark ML's classifier columns; saved and loaded as a Spark ML stage
 * ({@link ModelPersistence}). Work in progress (issue 28): paths only, no Estimator yet.
 */
public final class AlexNetClassificationModel extends Model<AlexNetClassificationModel> implements MLWritable {
    private final String uid;
    private final transient SavedModel saved;
    private transient ModelBroadcast broadcast;
    private final Param<String> imageCol;
    private final Param<String> imagesRoot;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final Param<String> predictedLabelCol;
    private final Param<String> errorCol;

    AlexNetClassificationModel(String uid, SavedModel saved) {
        this.uid = uid;
        this.saved = saved;
        imageCol = new Param<>(this, "imageCol", "the column of image paths (under imagesRoot) or URIs");
        imagesRoot = new Param<>(this, "imagesRoot", "the root of relative image paths; empty: the paths are URIs");
        predictionCol = new Param<>(this, "predictionCol", "predicted class index (the classes in sorted order)");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "log class probabilities");
        predictedLabelCol = new Param<>(this, "predictedLabelCol", "the predicted class's label (WordNet id)");
        errorCol = new Param<>(this, "errorCol", "why an image was not scored (null when it was)");
        setDefault(imageCol, "image");
        setDefault(imagesRoot, "");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(predictedLabelCol, "predictedLabel");
        setDefault(errorCol, "error");
    }

    /** A model zip written by {@code train} (latest.zip or best.zip), local or on HDFS. */
    public static AlexNetClassificationModel load(String uri, Configuration hadoop) throws IOException {
        return load(Identifiable$.MODULE$.randomUID("alexnet"), uri, hadoop);
    }

    static AlexNetClassificationModel load(String uid, String uri, Configuration hadoop) throws IOException {
        return new AlexNetClassificationModel(uid, SavedModels.load(uri, hadoop).requireFinite());
    }

    /** Spark ML's reader: a directory this model's {@link #write()} saved, or a {@code train} zip. */
    public static MLReader<AlexNetClassificationModel> read() {
        return new ModelPersistence.Reader();
    }

    /** The DL4J zip the model was loaded from. */
    String modelUri() {
        return saved.uri();
    }

    @Override
    public MLWriter write() {
        return new ModelPersistence.Writer(this);
    }

    public Param<String> imageCol() { return imageCol; }
    public Param<String> imagesRoot() { return imagesRoot; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }
    public Param<String> predictedLabelCol() { return predictedLabelCol; }
    public Param<String> errorCol() { return errorCol; }

    public AlexNetClassificationModel setImageCol(String v) { set(imageCol, v); return this; }
    public AlexNetClassificationModel setImagesRoot(String v) { set(imagesRoot, v); return this; }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains($(imageCol))) {
            throw new IllegalArgumentException("no image column '" + $(imageCol) + "' in " + schema.simpleString());
        }
        return schema.add($(predictionCol), DataTypes.DoubleType, true)
                .add($(probabilityCol), new VectorUDT(), true)
                .add($(rawPredictionCol), new VectorUDT(), true)
                .add($(predictedLabelCol), DataTypes.StringType, true)
                .add($(errorCol), DataTypes.StringType, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> in = dataset.toDF();
        StructType out = transformSchema(in.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(in.sparkSession().sparkContext());
        if (broadcast == null) {
            broadcast = ModelBroadcast.of(sc, saved.network());
        }
        Predictor.Settings settings = Predictor.Settings.of(saved, saved.input().evalCrops(), saved.classes().size());
        String root = $(imagesRoot).isEmpty() ? null : $(imagesRoot);
        return in.mapPartitions(new ScoreRows(broadcast, settings, new SerializableConfiguration(sc.hadoopConfiguration()),
                in.schema().fieldIndex($(imageCol)), root), Encoders.row(out));
    }

    @Override
    public AlexNetClassificationModel copy(ParamMap extra) {
        return copyValues(new AlexNetClassificationModel(uid, saved), extra).setParent(parent());
    }
}
