package io.sparkalex.ml;

import io.sparkalex.predict.PredictImages;
import io.sparkalex.predict.Predictor;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * The three ways a Spark DataFrame holds images, told apart by the image column's type: paths
 * (strings, relative to an images root or URIs), the bytes of image files (the {@code content}
 * column of Spark's {@code binaryFile} source) and decoded images (the struct of Spark's
 * {@code image} source). Each cell becomes a {@link Predictor.Input}, so all three are scaled,
 * cropped and scored by the same code as {@code predict}'s files.
 */
enum ImageColumn {
    PATHS, FILE_BYTES, IMAGE_STRUCTS;

    /** The kind of {@code column} in {@code schema}; anything else is an error naming the accepted types. */
    static ImageColumn of(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("no image column '" + column + "' in " + schema.simpleString());
        }
        DataType type = schema.apply(column).dataType();
        if (type.equals(DataTypes.StringType)) {
            return PATHS;
        }
        if (type.equals(DataTypes.BinaryType)) {
            return FILE_BYTES;
        }
        if (type instanceof StructType struct && Arrays.asList(struct.fieldNames()).containsAll(
                Arrays.asList(ImageSchema.columnSchema().fieldNames()))) {
            return IMAGE_STRUCTS;
        }
        throw new IllegalArgumentException("image column '" + column + "' is " + type.simpleString()
                + "; expected a path (string), file content (binary, Spark's binaryFile source) or an image struct "
                + "(Spark's image source)");
    }

    /** The cell as an image to score; a null cell or an image struct Spark could not decode is refused. */
    Predictor.Input input(Row row, int index, String root, Configuration conf) {
        if (row.isNullAt(index)) {
            return Predictor.Input.refused("", "read_error: no image");
        }
        return switch (this) {
            case PATHS -> PredictImages.input(row.getString(index), root, conf);
            case FILE_BYTES -> Predictor.Input.bytes("", row.getAs(index));
            case IMAGE_STRUCTS -> {
                Row image = row.getStruct(index);
                String origin = ImageSchema.getOrigin(image);
                BufferedImage rgb = toRgb(image);
                yield rgb == null ? Predictor.Input.refused(origin == null ? "" : origin,
                        "decode_error: the image source could not decode it") : Predictor.Input.decoded(origin, rgb);
            }
        };
    }

    /**
     * An {@code image} source struct (rows of OpenCV-order bytes: B, G, R[, A], or one grey byte)
     * as an RGB image; null for the empty struct Spark gives an undecodable file.
     */
    static BufferedImage toRgb(Row image) {
        int height = ImageSchema.getHeight(image);
        int width = ImageSchema.getWidth(image);
        int channels = ImageSchema.getNChannels(image);
        byte[] data = ImageSchema.getData(image);
        if (height <= 0 || width <= 0 || data == null || data.length < (long) height * width * channels
                || (channels != 1 && channels != 3 && channels != 4)) {
            return null;
        }
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] line = new int[width];
        for (int y = 0; y < height; y++) {
            int at = y * width * channels;
            for (int x = 0; x < width; x++, at += channels) {
                int b = data[at] & 0xff;
                int g = channels == 1 ? b : data[at + 1] & 0xff;
                int r = channels == 1 ? b : data[at + 2] & 0xff;
                line[x] = (r << 16) | (g << 8) | b;
            }
            rgb.setRGB(0, y, width, 1, line, 0, width);
        }
        return rgb;
    }
}
