package io.sparkalex.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlexNetTest {
    /** The network's hyper-parameters as the defaults give them, at another size and width. */
    static AlexNet.Spec spec(int imageSize, double widthFactor, int classes) {
        return new AlexNet.Spec(imageSize, widthFactor, classes, 0.5, 42, new Adam(1e-4), 0, true, AlexNet.Init.HE);
    }

    /** Output shape of a named layer, e.g. {@code "96x27x27"} for pool1 at 227x227. */
    static String shapeOf(ModelSummary s, String layer) {
        return s.rows().stream().filter(r -> r.name().equals(layer)).findFirst().orElseThrow().shape();
    }

    static ModelSummary summary(int classes) {
        return ModelSummary.of(AlexNet.configuration(spec(227, 1.0, classes)), 227);
    }

    @Test
    void fullAlexNetHasTheReferenceLayerShapes() {
        ModelSummary s = summary(10);
        assertEquals("3x227x227", shapeOf(s, "input"));
        assertEquals("96x55x55", shapeOf(s, "conv1"));
        assertEquals("96x55x55", shapeOf(s, "lrn1"));
        assertEquals("96x27x27", shapeOf(s, "pool1"));
        assertEquals("256x27x27", shapeOf(s, "conv2"));
        assertEquals("256x13x13", shapeOf(s, "pool2"));
        assertEquals("384x13x13", shapeOf(s, "conv3"));
        assertEquals("384x13x13", shapeOf(s, "conv4"));
        assertEquals("256x13x13", shapeOf(s, "conv5"));
        assertEquals("256x6x6", shapeOf(s, "pool3"));
        assertEquals("4096", shapeOf(s, "fc1"));
        assertEquals("4096", shapeOf(s, "fc2"));
        assertEquals("10", shapeOf(s, "fc3"));
    }

    @Test
    void parameterCountsMatchAlexNet() {
        assertEquals(58_322_314L, summary(10).totalParams());
        assertEquals(62_378_344L, summary(1000).totalParams());
        assertEquals(37_752_832L, summary(10).rows().stream().filter(r -> r.name().equals("fc1")).findFirst()
                .orElseThrow().params(), "fc1 takes the 256x6x6 flattened pool3 output");
    }

    @Test
    void fc2FeedsTheOutputLayerAndDropoutSitsBeforeFc2AndFc3() {
        var conf = AlexNet.configuration(spec(227, 1.0, 10));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        List<String> names = conf.getConfs().stream().map(c -> c.getLayer().getLayerName()).toList();
        assertEquals(List.of("conv1", "lrn1", "pool1", "conv2", "lrn2", "pool2", "conv3", "conv4", "conv5", "pool3",
                "fc1", "fc2", "fc3"), names);
        var fc3 = (org.deeplearning4j.nn.conf.layers.OutputLayer) conf.getConf(12).getLayer();
        assertEquals(4096, fc3.getNIn(), "the reference script fed fc1 into fc3; here fc2 does");
        assertTrue(conf.getConf(11).getLayer().getIDropout() != null, "dropout on fc1's output");
        assertTrue(conf.getConf(12).getLayer().getIDropout() != null, "dropout on fc2's output");
        assertEquals(null, conf.getConf(10).getLayer().getIDropout());
        var lrn = (org.deeplearning4j.nn.conf.layers.LocalResponseNormalization) conf.getConf(1).getLayer();
        assertEquals(2.0, lrn.getK());
        assertEquals(5.0, lrn.getN());
        assertEquals(1e-4, lrn.getAlpha());
        assertEquals(0.75, lrn.getBeta());
        assertTrue(net.getLayerWiseConfigurations() != null);
    }

    @Test
    void smallInputAndWidthKeepTheGeometry() {
        ModelSummary s = ModelSummary.of(AlexNet.configuration(spec(67, 0.25, 5)), 67);
        assertEquals("24x15x15", shapeOf(s, "conv1"));
        assertEquals("24x7x7", shapeOf(s, "pool1"));
        assertEquals("64x3x3", shapeOf(s, "pool2"));
        assertEquals("64x1x1", shapeOf(s, "pool3"));
        assertEquals("1024", shapeOf(s, "fc1"));
    }

    @Test
    void inputsTooSmallForTheGeometryAreRefused() {
        assertEquals(3, AlexNet.geometry(AlexNet.MIN_IMAGE_SIZE)[2], "pool2's output is just 3x3");
        var e = assertThrows(IllegalArgumentException.class,
                () -> AlexNet.configuration(spec(AlexNet.MIN_IMAGE_SIZE - 1, 0.25, 10)));
        assertTrue(e.getMessage().contains("" + AlexNet.MIN_IMAGE_SIZE), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AlexNet.geometry(64));
    }

    @Test
    void thePapersInitialisationHasStd001WeightsAndItsBiases() {
        var spec = new AlexNet.Spec(99, 1.0, 10, 0.5, 7, new Adam(1e-4), 0, true, AlexNet.Init.PAPER);
        MultiLayerNetwork net = new MultiLayerNetwork(AlexNet.configuration(spec));
        net.init();
        List<String> liftedBias = List.of("conv2", "conv4", "conv5", "fc1", "fc2");
        for (String layer : List.of("conv1", "conv2", "conv3", "conv4", "conv5", "fc1", "fc2", "fc3")) {
            var w = net.getLayer(layer).getParam("W");
            assertEquals(0, w.meanNumber().doubleValue(), 1e-3, layer + " weights mean");
            assertEquals(0.01, w.stdNumber().doubleValue(), 0.01 * 0.05, layer + " weights std");
            var b = net.getLayer(layer).getParam("b");
            double want = liftedBias.contains(layer) ? 1.0 : 0.0;
            assertEquals(want, b.minNumber().doubleValue(), 0, layer + " bias");
            assertEquals(want, b.maxNumber().doubleValue(), 0, layer + " bias");
        }
        var he = new MultiLayerNetwork(AlexNet.configuration(spec(99, 1.0, 10)));
        he.init();
        double fanIn = 3 * 11 * 11;
        assertEquals(Math.sqrt(2 / fanIn), he.getLayer("conv1").getParam("W").stdNumber().doubleValue(), 0.01,
                "He: N(0, 2 / fan_in)");
        assertEquals(0, he.getLayer("conv2").getParam("b").maxNumber().doubleValue(), 0);
    }
}
