package io.sparkalex.eval;

/**
 * How a saved model sees an image, as it was trained: the input size, the square it is cropped
 * from, its default number of evaluation crops, and the batch and file-size limits scoring uses.
 * Read from the checkpoint's configuration by whoever loads it ({@code train.SavedModels}), so that
 * scoring needs no configuration of its own.
 */
public record ModelInput(int imageSize, int resizeSize, int evalCrops, int batchSize, long maxImageBytes) {
}
