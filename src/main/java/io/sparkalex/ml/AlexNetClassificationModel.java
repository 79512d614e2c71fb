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
 * A trained AlexNet as a Spark ML {@link Model}: {@code transform} scores the image column (paths,
 * file content or image structs: {@link ImageColumn}) on the executors with the same predictor as
 * {@code predict}, and appends Spark ML's classifier columns; saved and loaded as a Spark ML stage
 * ({@link ModelPersistence}). Made by {@link AlexNetClassifier#fit}, or loaded from a {@code train}
 * zip. The network is broadcast at the first {@code transform} and kept, for the model and its
 * copies (Spark copies a stage to set params), for the next ones until {@link #releaseBroadcast()}
 * or until the SparkContext it was made in stops.
 */
public final class AlexNetClassificationModel extends Model<AlexNetClassificationModel> implements MLWritable {
    private final String uid;
    private final transient SavedModel saved;
    private final transient Broadcasts broadcasts;
    private final SharedParams params;

    AlexNetClassificationModel(String uid, SavedModel saved) {
        this(uid, saved, new Broadcasts());
    }

    private AlexNetClassificationModel(String uid, SavedModel saved, Broadcasts broadcasts) {
        this.uid = uid;
        this.saved = saved;
        this.broadcasts = broadcasts;
        this.params = new SharedParams(this);
    }

    /** The network's broadcast, one for a model and all its copies, made again in a new SparkContext. */
    private static final class Broadcasts {
        private ModelBroadcast current;
        private org.apache.spark.SparkContext madeIn;

        synchronized ModelBroadcast of(JavaSparkContext sc, SavedModel saved) {
            if (current == null || madeIn != sc.sc() || sc.sc().isStopped()) {
                current = ModelBroadcast.of(sc, saved.network());
                madeIn = sc.sc();
            }
            return current;
        }

        synchronized void release() {
            if (current != null && !madeIn.isStopped()) {
                current.close();
            }
            current = null;
            madeIn = null;
        }
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

    public Param<String> imageCol() { return params.imageCol; }
    public Param<String> imagesRoot() { return params.imagesRoot; }
    public Param<String> predictionCol() { return params.predictionCol; }
    public Param<String> probabilityCol() { return params.probabilityCol; }
    public Param<String> rawPredictionCol() { return params.rawPredictionCol; }
    public Param<String> predictedLabelCol() { return params.predictedLabelCol; }
    public Param<String> errorCol() { return params.errorCol; }

    public AlexNetClassificationModel setImageCol(String v) { set(params.imageCol, v); return this; }
    public AlexNetClassificationModel setImagesRoot(String v) { set(params.imagesRoot, v); return this; }
    public AlexNetClassificationModel setPredictionCol(String v) { set(params.predictionCol, v); return this; }
    public AlexNetClassificationModel setProbabilityCol(String v) { set(params.probabilityCol, v); return this; }
    public AlexNetClassificationModel setRawPredictionCol(String v) { set(params.rawPredictionCol, v); return this; }
    public AlexNetClassificationModel setPredictedLabelCol(String v) { set(params.predictedLabelCol, v); return this; }
    public AlexNetClassificationModel setErrorCol(String v) { set(params.errorCol, v); return this; }

    /** The class labels in output order: prediction {@code i} is {@code labels().get(i)}. */
    public java.util.List<String> labels() {
        return saved.classes();
    }

    /**
     * Releases the network's broadcast (this model's and its copies') on the executors; a later
     * {@code transform} broadcasts it again. Call it in a long-lived application once the
     * DataFrames this model transformed have been computed (they read the broadcast when they run).
     */
    public void releaseBroadcast() {
        broadcasts.release();
    }

    /** The id of the broadcast now in use, or -1 before the first {@code transform} (for tests). */
    long broadcastId() {
        synchronized (broadcasts) {
            return broadcasts.current == null ? -1 : broadcasts.current.params().id();
        }
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        ImageColumn.of(schema, $(imageCol()));
        return schema.add($(params.predictionCol), DataTypes.DoubleType, true)
                .add($(params.probabilityCol), new VectorUDT(), true)
                .add($(params.rawPredictionCol), new VectorUDT(), true)
                .add($(params.predictedLabelCol), DataTypes.StringType, true)
                .add($(params.errorCol), DataTypes.StringType, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> in = dataset.toDF();
        StructType out = transformSchema(in.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(in.sparkSession().sparkContext());
        ModelBroadcast broadcast = broadcasts.of(sc, saved);
        Predictor.Settings settings = Predictor.Settings.of(saved, saved.input().evalCrops(), saved.classes().size());
        String root = $(params.imagesRoot).isEmpty() ? null : $(params.imagesRoot);
        return in.mapPartitions(new ScoreRows(broadcast, settings, new SerializableConfiguration(sc.hadoopConfiguration()),
                ImageColumn.of(in.schema(), $(params.imageCol)), in.schema().fieldIndex($(params.imageCol)), root),
                Encoders.row(out));
    }

    @Override
    public AlexNetClassificationModel copy(ParamMap extra) {
        return copyValues(new AlexNetClassificationModel(uid, saved, broadcasts), extra).setParent(parent());
    }
}
