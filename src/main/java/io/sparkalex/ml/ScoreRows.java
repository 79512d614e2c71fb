package io.sparkalex.ml;

import io.sparkalex.eval.ModelBroadcast;
import io.sparkalex.predict.Prediction;
import io.sparkalex.predict.Predictor;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Executor side of {@link AlexNetClassificationModel#transform}: each input row with its image
 * (a path, file bytes or a decoded image: {@link ImageColumn}) scored by the same
 * {@link Predictor} (and so {@code CropInference}) as {@code predict}, and the Spark ML columns appended: prediction (the class index, in the model's sorted class order),
 * probability and raw prediction (log-probabilities) vectors, the predicted label, and the
 * error; an image that cannot be read gets nulls and its error, never a failed task.
 */
record ScoreRows(ModelBroadcast model, Predictor.Settings settings, SerializableConfiguration hadoop, ImageColumn images,
                 int imageIndex, String root) implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> partition) {
        List<Row> rows = new ArrayList<>();
        partition.forEachRemaining(rows::add);
        if (rows.isEmpty()) {
            return rows.iterator();
        }
        Configuration conf = hadoop.value();
        List<Predictor.Input> inputs = rows.stream().map(r -> images.input(r, imageIndex, root, conf)).toList();
        List<Prediction> predictions = new Predictor(model.network(), settings).predict(inputs.iterator());
        Map<String, Integer> index = new HashMap<>();   // once per partition: every image lists every class
        for (int c = 0; c < settings.classes().size(); c++) {
            index.put(settings.classes().get(c), c);
        }
        List<Row> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            out.add(append(rows.get(i), predictions.get(i), index));
        }
        return out.iterator();
    }

    private Row append(Row row, Prediction p, Map<String, Integer> index) {
        Object[] values = new Object[row.length() + 5];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        if (p.ok()) {
            double[] probs = new double[settings.classes().size()];
            double[] raw = new double[probs.length];
            for (int k = 0; k < p.topIds().size(); k++) {
                probs[index.get(p.topIds().get(k))] = p.topProbs().get(k);
            }
            for (int c = 0; c < probs.length; c++) {
                raw[c] = Math.log(Math.max(probs[c], Double.MIN_NORMAL));
            }
            values[row.length()] = (double) index.get(p.topIds().get(0));
            values[row.length() + 1] = Vectors.dense(probs);
            values[row.length() + 2] = Vectors.dense(raw);
            values[row.length() + 3] = p.topIds().get(0);
        }
        values[row.length() + 4] = p.error();
        return RowFactory.create(values);
    }
}
