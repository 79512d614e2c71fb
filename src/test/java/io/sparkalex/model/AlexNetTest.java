package io.sparkalex.model;

import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlexNetTest {
    static ModelSummary summary(int classes, String... overrides) {
        Map<String, String> sets = new java.util.HashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            sets.put(overrides[i], overrides[i + 1]);
        }
        JobConfig c = JobConfig.load(null, sets);
        return ModelSummary.of(AlexNet.configuration(AlexNet.Spec.of(c, classes)), c.imageSize);
    }

    @Test
    void fullAlexNetHasTheSeedsLayerShapes() {
        ModelSummary s = summary(10);
        assertEquals("3x227x227", s.shapeOf("input"));
        assertEquals("96x55x55", s.shapeOf("conv1"));
        assertEquals("96x55x55", s.shapeOf("lrn1"));
        assertEquals("96x27x27", s.shapeOf("pool1"));
        assertEquals("256x27x27", s.shapeOf("conv2"));
        assertEquals("256x13x13", s.shapeOf("pool2"));
        assertEquals("384x13x13", s.shapeOf("conv3"));
        assertEquals("384x13x13", s.shapeOf("conv4"));
        assertEquals("256x13x13", s.shapeOf("conv5"));
        assertEquals("256x6x6", s.shapeOf("pool3"));
        assertEquals("4096", s.shapeOf("fc1"));
        assertEquals("4096", s.shapeOf("fc2"));
        assertEquals("10", s.shapeOf("fc3"));
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
        var conf = AlexNet.configuration(AlexNet.Spec.of(JobConfig.defaults(), 10));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        List<String> names = conf.getConfs().stream().map(c -> c.getLayer().getLayerName()).toList();
        assertEquals(List.of("conv1", "lrn1", "pool1", "conv2", "lrn2", "pool2", "conv3", "conv4", "conv5", "pool3",
                "fc1", "fc2", "fc3"), names);
        var fc3 = (org.deeplearning4j.nn.conf.layers.OutputLayer) conf.getConf(12).getLayer();
        assertEquals(4096, fc3.getNIn(), "the seed's bug fed fc1 into fc3; here fc2 does");
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
        ModelSummary s = summary(5, "image_size", "67", "width_factor", "0.25");
        assertEquals("24x15x15", s.shapeOf("conv1"));
        assertEquals("24x7x7", s.shapeOf("pool1"));
        assertEquals("64x3x3", s.shapeOf("pool2"));
        assertEquals("64x1x1", s.shapeOf("pool3"));
        assertEquals("1024", s.shapeOf("fc1"));
    }

    @Test
    void inputsTooSmallForTheGeometryAreRefusedWithTheKeyName() {
        ConfigError e = assertThrows(ConfigError.class, () -> summary(10, "image_size", "66"));
        assertTrue(e.getMessage().contains("image_size"), e.getMessage());
        assertTrue(e.getMessage().contains("67"), e.getMessage());
        ConfigError below = assertThrows(ConfigError.class, () -> AlexNet.geometry(64));
        assertTrue(below.getMessage().contains("image_size"));
    }
}
