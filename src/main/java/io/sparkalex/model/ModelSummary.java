package io.sparkalex.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Each layer's output shape and parameter count, computed from the configuration alone (no
 * 58M-parameter allocation), like the reference script's {@code structShow}.
 */
public final class ModelSummary {
    /** One table row. {@code shape} is C x H x W for conv layers, N for dense ones. */
    public record Row(String name, String type, String shape, long params) {
    }

    private final List<Row> rows;

    private ModelSummary(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static ModelSummary of(MultiLayerConfiguration conf, int imageSize) {
        InputType input = InputType.convolutional(imageSize, imageSize, 3);
        List<InputType> outputs = conf.getLayerActivationTypes(input);
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("input", "Input", shape(input), 0));
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration layerConf = conf.getConf(i);
            Layer layer = layerConf.getLayer();
            long params = layer.initializer().numParams(layerConf);
            rows.add(new Row(layer.getLayerName(), layer.getClass().getSimpleName(), shape(outputs.get(i)), params));
        }
        return new ModelSummary(rows);
    }

    static String shape(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            return c.getChannels() + "x" + c.getHeight() + "x" + c.getWidth();
        }
        if (t instanceof InputType.InputTypeFeedForward f) {
            return Long.toString(f.getSize());
        }
        return t.toString();
    }

    public List<Row> rows() {
        return rows;
    }

    public long totalParams() {
        return rows.stream().mapToLong(Row::params).sum();
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %-28s %-14s %14s%n", "layer", "type", "output", "params"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-8s %-28s %-14s %,14d%n", r.name(), r.type(), r.shape(), r.params()));
        }
        sb.append(String.format(Locale.ROOT, "total parameters: %,d%n", totalParams()));
        return sb.toString();
    }
}
