package io.sparkalex.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobConfigTest {
    @Test
    void defaultsFollowTheReferenceScript() {
        JobConfig c = JobConfig.load(null, Map.of());
        assertEquals(JobConfig.Optimizer.ADAM, c.optimizer);
        assertEquals(1e-4, c.learningRate);
        assertEquals(32, c.batchSize);
        assertEquals(10, c.epochs);
        assertEquals(227, c.imageSize);
        assertEquals(1.0, c.widthFactor);
        assertEquals(0.5, c.dropout);
    }

    @Test
    void fileThenSetOverridesWinInOrder() {
        JobConfig c = JobConfig.load("epochs = 4\nbatch_size = 8\n", JobConfig.parseOverrides(List.of("epochs=2",
                "optimizer=nesterovs", "learning_rate=0.01")));
        assertEquals(2, c.epochs);
        assertEquals(8, c.batchSize);
        assertEquals(JobConfig.Optimizer.NESTEROVS, c.optimizer);
        assertEquals(0.01, c.learningRate);
        assertEquals(c.toJson(), JobConfig.fromJson(c.toJson()).toJson(), "round-trips through checkpoints");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "epoch      | 3       | unknown config key 'epoch'",
            "batch_size | 0       | 'batch_size' must be in [1, 65536] (got 0)",
            "epochs     | ten     | 'epochs' must be an integer (got 'ten')",
            "optimizer  | rmsprop | 'optimizer' must be one of [adam, sgd, nesterovs] (got 'rmsprop')",
            "image_size | 66      | 'image_size' = 66 is too small for the AlexNet geometry",
            "image_size | 32      | which takes image_size >= 67"})
    void badValuesNameTheKey(String key, String value, String expected) {
        assertError(expected, Map.of(key, value));
    }

    @Test
    void badFilesAndFlagsAreNamed() {
        ConfigError file = assertThrows(ConfigError.class, () -> JobConfig.load("epochz = 3", Map.of()));
        assertTrue(file.getMessage().contains("unknown config key 'epochz'"), file.getMessage());
        ConfigError syntax = assertThrows(ConfigError.class, () -> JobConfig.parseOverrides(List.of("epochs")));
        assertTrue(syntax.getMessage().contains("key=value"));
    }

    @Test
    void resizeSizeFollowsImageSizeUnlessSetAndMustHoldACrop() {
        assertEquals(256, JobConfig.load(null, Map.of()).resizeSize, "the paper's 256 for 227 crops");
        assertEquals(76, JobConfig.load(null, Map.of("image_size", "67")).resizeSize);
        assertEquals(100, JobConfig.load(null, Map.of("image_size", "67", "resize_size", "100")).resizeSize);
        assertError("'resize_size' = 60 is smaller than image_size = 67",
                Map.of("image_size", "67", "resize_size", "60"));
        assertError("'eval_crops' must be 1 or 10", Map.of("eval_crops", "5"));
    }

    static void assertError(String expected, Map<String, String> sets) {
        ConfigError e = assertThrows(ConfigError.class, () -> JobConfig.load(null, sets));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
