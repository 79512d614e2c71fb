package io.sparkalex.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The params {@link AlexNetClassifier} and {@link AlexNetClassificationModel} both have, declared
 * and defaulted in one place: where the images are, and the names of the columns the model adds
 * (Spark ML's usual names). Same names on both, so {@code fit} hands the Estimator's values to its
 * Model with Spark's {@code copyValues}.
 */
final class SharedParams {
    final Param<String> imageCol;
    final Param<String> imagesRoot;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> rawPredictionCol;
    final Param<String> predictedLabelCol;
    final Param<String> errorCol;

    SharedParams(Params owner) {
        imageCol = new Param<>(owner, "imageCol", "the image column: paths (under imagesRoot, or URIs), file content "
                + "(binary, Spark's binaryFile source) or image structs (Spark's image source)");
        imagesRoot = new Param<>(owner, "imagesRoot", "the root of relative image paths; empty: the paths are URIs");
        predictionCol = new Param<>(owner, "predictionCol", "predicted class index (the classes in sorted order)");
        probabilityCol = new Param<>(owner, "probabilityCol", "class probabilities");
        rawPredictionCol = new Param<>(owner, "rawPredictionCol", "log class probabilities");
        predictedLabelCol = new Param<>(owner, "predictedLabelCol", "the predicted class's label");
        errorCol = new Param<>(owner, "errorCol", "why an image was not scored (null when it was)");
        owner.setDefault(imageCol, "image");
        owner.setDefault(imagesRoot, "");
        owner.setDefault(predictionCol, "prediction");
        owner.setDefault(probabilityCol, "probability");
        owner.setDefault(rawPredictionCol, "rawPrediction");
        owner.setDefault(predictedLabelCol, "predictedLabel");
        owner.setDefault(errorCol, "error");
    }
}
