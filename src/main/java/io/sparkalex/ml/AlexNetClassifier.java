package io.sparkalex.ml;

import io.sparkalex.config.ConfigFiles;
import io.sparkalex.config.JobConfig;
import io.sparkalex.storage.CheckpointStore;
import io.sparkalex.train.Locations;
import io.sparkalex.train.RunOptions;
import io.sparkalex.train.TrainingJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AlexNet as a Spark ML {@link Estimator}: {@code fit} trains on a DataFrame of images and labels
 * with the same {@code TrainingJob} as {@code train} (the DataFrame written as its input by
 * {@link TrainingInput}), its checkpoints, metrics and lease in {@code checkpointDir}; fitting again
 * over the same directory resumes, or finds the run done. Labels are strings, indexed in sorted
 * order (StringIndexer's {@code alphabetAsc}), or class indices 0..K-1 already. The job's settings
 * are params too: a config file ({@code configFile}, as {@code --conf}) and {@code key=value}
 * overrides ({@code settings}, as {@code --set}).
 */
public final class AlexNetClassifier extends Estimator<AlexNetClassificationModel> implements DefaultParamsWritable {
    private final String uid;
    private final SharedParams params;
    private final Param<String> labelCol;
    private final Param<String> validationIndicatorCol;
    private final DoubleParam validationFraction;
    private final Param<String> checkpointDir;
    private final Param<String> configFile;
    private final StringArrayParam settings;

    public AlexNetClassifier() {
        this(Identifiable$.MODULE$.randomUID("alexnet"));
    }

    public AlexNetClassifier(String uid) {
        this.uid = uid;
        params = new SharedParams(this);
        labelCol = new Param<>(this, "labelCol", "label: a string (classes in sorted order) or a class index 0..K-1");
        validationIndicatorCol = new Param<>(this, "validationIndicatorCol",
                "boolean column, true for validation rows; empty: validationFraction of the rows");
        validationFraction = new DoubleParam(this, "validationFraction",
                "share of rows held out for validation (by a hash of the image) when no validationIndicatorCol",
                org.apache.spark.ml.param.ParamValidators.inRange(0, 1, false, false));
        checkpointDir = new Param<>(this, "checkpointDir",
                "the run's output directory (checkpoints, metrics, lease; any Hadoop URI); fitting again resumes");
        configFile = new Param<>(this, "configFile", "training config (HOCON, any Hadoop URI), as train's --conf");
        settings = new StringArrayParam(this, "settings", "key=value config overrides, as train's --set");
        setDefault(labelCol, "label");
        setDefault(validationIndicatorCol, "");
        setDefault(validationFraction, 0.1);
        setDefault(configFile, "");
        setDefault(settings, new String[0]);
    }

    public static MLReader<AlexNetClassifier> read() {
        return new DefaultParamsReadable<AlexNetClassifier>() { }.read();
    }

    @Override
    public AlexNetClassificationModel fit(Dataset<?> dataset) {
        Dataset<Row> df = dataset.toDF();
        transformSchema(df.schema());
        if (!isDefined(checkpointDir)) {
            throw new IllegalArgumentException("set checkpointDir: where the run's checkpoints, metrics and lease go");
        }
        SparkSession spark = df.sparkSession();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JobConfig config = JobConfig.load(ConfigFiles.read($(configFile), "configFile", hadoop),
                JobConfig.parseOverrides(Arrays.asList($(settings))));
        try {
            TrainingInput.Columns columns = new TrainingInput.Columns(ImageColumn.of(df.schema(), $(params.imageCol)),
                    $(params.imageCol), $(labelCol), $(validationIndicatorCol),
                    ((Number) $(validationFraction)).doubleValue(), config.seed);
            Locations where = TrainingInput.write(df, columns, $(params.imagesRoot), $(checkpointDir), hadoop);
            RunOptions options = new RunOptions(spark.sparkContext().appName(), null, false, false, null, null,
                    t -> 1, false);
            new TrainingJob(spark, config, where, false, options).run();
            AlexNetClassificationModel model = AlexNetClassificationModel.load(uid,
                    new Path($(checkpointDir), CheckpointStore.BEST).toString(), hadoop);
            return copyValues(model, ParamMap.empty()).setParent(this);
        } catch (IOException e) {
            throw new UncheckedIOException("fitting AlexNet in " + $(checkpointDir), e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        ImageColumn.of(schema, $(params.imageCol));
        for (String column : List.of($(labelCol), $(validationIndicatorCol))) {
            if (!column.isEmpty() && !Arrays.asList(schema.fieldNames()).contains(column)) {
                throw new IllegalArgumentException("no column '" + column + "' in " + schema.simpleString());
            }
        }
        return copyValues(new AlexNetClassificationModel(uid, null), ParamMap.empty()).transformSchema(schema);
    }

    @Override
    public AlexNetClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public MLWriter write() {
        return DefaultParamsWritable.super.write();
    }

    public Param<String> imageCol() { return params.imageCol; }
    public Param<String> imagesRoot() { return params.imagesRoot; }
    public Param<String> predictionCol() { return params.predictionCol; }
    public Param<String> probabilityCol() { return params.probabilityCol; }
    public Param<String> rawPredictionCol() { return params.rawPredictionCol; }
    public Param<String> predictedLabelCol() { return params.predictedLabelCol; }
    public Param<String> errorCol() { return params.errorCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> validationIndicatorCol() { return validationIndicatorCol; }
    public DoubleParam validationFraction() { return validationFraction; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public Param<String> configFile() { return configFile; }
    public StringArrayParam settings() { return settings; }

    public AlexNetClassifier setImageCol(String v) { set(params.imageCol, v); return this; }
    public AlexNetClassifier setImagesRoot(String v) { set(params.imagesRoot, v); return this; }
    public AlexNetClassifier setPredictionCol(String v) { set(params.predictionCol, v); return this; }
    public AlexNetClassifier setProbabilityCol(String v) { set(params.probabilityCol, v); return this; }
    public AlexNetClassifier setRawPredictionCol(String v) { set(params.rawPredictionCol, v); return this; }
    public AlexNetClassifier setPredictedLabelCol(String v) { set(params.predictedLabelCol, v); return this; }
    public AlexNetClassifier setErrorCol(String v) { set(params.errorCol, v); return this; }
    public AlexNetClassifier setLabelCol(String v) { set(labelCol, v); return this; }
    public AlexNetClassifier setValidationIndicatorCol(String v) { set(validationIndicatorCol, v); return this; }
    public AlexNetClassifier setValidationFraction(double v) { set(validationFraction, v); return this; }
    public AlexNetClassifier setCheckpointDir(String v) { set(checkpointDir, v); return this; }
    public AlexNetClassifier setConfigFile(String v) { set(configFile, v); return this; }
    public AlexNetClassifier setSettings(String... v) { set(settings, v); return this; }

    /** One more {@code key=value} override on top of those set. */
    public AlexNetClassifier setSetting(String key, String value) {
        List<String> all = new ArrayList<>(Arrays.asList($(settings)));
        all.add(key + "=" + value);
        return setSettings(all.toArray(new String[0]));
    }
}
