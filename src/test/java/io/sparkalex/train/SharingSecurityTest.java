package io.sparkalex.train;

import io.sparkalex.cli.ExitCode;
import io.sparkalex.config.ConfigError;
import io.sparkalex.config.JobConfig;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient sharing's unauthenticated UDP transport does not start on a secured application unless told the network is trusted. */
class SharingSecurityTest {
    @Test
    void sharingIsRefusedUnderSparkAuthenticateUnlessTheNetworkIsTrusted() {
        JobConfig sharing = JobConfig.load(null, Map.of("training_mode", "sharing"));
        SparkConf secured = new SparkConf(false).set("spark.authenticate", "true");
        ConfigError refused = assertThrows(ConfigError.class, () -> SharingEpochs.refuseUntrusted(secured, sharing));
        assertTrue(refused.getMessage().contains("sharing_trusted_network = true")
                && refused.getMessage().contains("40123"), refused.getMessage());
        assertEquals(ExitCode.USAGE, ExitCode.of(refused), "exit 2: not worth a retry");
        assertDoesNotThrow(() -> SharingEpochs.refuseUntrusted(secured, JobConfig.load(null,
                Map.of("training_mode", "sharing", "sharing_trusted_network", "true"))), "the user vouches for the network");
        assertDoesNotThrow(() -> SharingEpochs.refuseUntrusted(new SparkConf(false), sharing), "no spark.authenticate");
    }
}
