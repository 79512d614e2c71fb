package io.sparkalex.predict;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * One image's prediction: its top-k classes (WordNet ids, readable names, probabilities, most
 * likely first), or the reason it could not be scored in {@code error} (the lists are then empty).
 * {@link #SCHEMA} is the schema of the Parquet table {@code predict} writes (README: "Predict").
 */
public record Prediction(String path, List<String> topIds, List<String> topNames, List<Float> topProbs,
                         String error) {

    /** {@code path} string, {@code top_ids}/{@code top_names} array&lt;string&gt;, {@code top_probs} array&lt;float&gt;, {@code error} string (null when scored). */
    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("path", DataTypes.StringType, false),
        DataTypes.createStructField("top_ids", DataTypes.createArrayType(DataTypes.StringType), false),
        DataTypes.createStructField("top_names", DataTypes.createArrayType(DataTypes.StringType), false),
        DataTypes.createStructField("top_probs", DataTypes.createArrayType(DataTypes.FloatType), false),
        DataTypes.createStructField("error", DataTypes.StringType, true),
    });

    static Prediction failed(String path, String error) {
        return new Prediction(path, List.of(), List.of(), List.of(), error);
    }

    public boolean ok() {
        return error == null;
    }

    public Row toRow() {
        return RowFactory.create(path, topIds.toArray(new String[0]), topNames.toArray(new String[0]),
                topProbs.toArray(new Float[0]), error);
    }
}
