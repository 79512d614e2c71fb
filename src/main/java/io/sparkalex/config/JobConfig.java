package io.sparkalex.config;

import io.sparkalex.model.AlexNet;
import io.sparkalex.model.EvalCrops;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The training configuration: one typed, validated object built from the packed defaults
 * ({@code conf/train.conf}), an optional user file and {@code --set key=value} overrides, in
 * that order of precedence. Validation happens once, here, so a bad value stops the job at
 * start with the key's name instead of failing mid-epoch. Saved inside every checkpoint.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Classpath location of {@code conf/train.conf}, packed by the build. */
    public static final String DEFAULTS_RESOURCE = "io/sparkalex/train.conf";

    /** Optimisers the job knows how to build. */
    public enum Optimizer { ADAM, SGD, NESTEROVS }

    /** Where the optimizer state lives between parameter averages (see README). */
    public enum OptimizerState { RESIDENT, AVERAGED }

    /** How workers combine their training (README, "Training modes"). */
    public enum TrainingMode { AVERAGING, SHARING }

    /** What a resident averaging round moves between driver and workers (see averaging.Transfer). */
    public enum ParameterTransfer { BF16, FLOAT32 }

    /** How the learning rate changes from epoch to epoch (see train.LearningRateSchedule). */
    public enum LrSchedule { STEP, PLATEAU, COSINE }

    /** How weights and biases start (see model.AlexNet.Init). */
    public enum WeightInit { HE, XAVIER, PAPER }

    /** What a data drift beyond the thresholds does. */
    public enum DriftAction { OFF, WARN, STOP }

    public final int epochs;
    public final int batchSize;
    public final long seed;
    public final int imageSize;
    public final double widthFactor;
    public final double dropout;
    public final boolean nativeKernels;
    public final WeightInit weightInit;
    public final int resizeSize;
    public final String cacheDir;
    public final boolean augmentCrop;
    public final boolean augmentFlip;
    public final boolean augmentColour;
    public final double augmentMinScale;
    public final int evalCrops;
    public final Optimizer optimizer;
    public final double learningRate;
    public final double momentum;
    public final double weightDecay;
    public final LrSchedule lrSchedule;
    /** {@code linear}: learning_rate (and lr_min) are per worker, multiplied by the workers. */
    public final LrScaling lrScaling;
    public final int lrDecayEvery;
    public final double lrDecayFactor;
    public final int lrPatience;
    public final double lrMin;
    public final int lrWarmupEpochs;
    public final int workers;
    public final int averagingFrequency;
    public final OptimizerState optimizerState;
    public final ParameterTransfer parameterTransfer;
    public final int exchangePort;
    public final ExchangeRelay exchangeRelay;
    /** The ports a worker's update relay may listen on (first free one); {@link PortRange#ANY}: any. */
    public final PortRange relayPorts;
    public final TrainingMode trainingMode;
    public final double sharingThreshold;
    public final int sharingPort;
    public final String sharingNetworkMask;
    public final boolean sharingTrustedNetwork;
    public final int prefetch;
    public final int decodePartitions;
    public final int threadsPerWorker;
    /** How often long steps (the image cache's build) log their progress. */
    public final int progressIntervalSeconds;
    public final double trainEvalFraction;
    public final double maxBadFraction;
    public final long maxImageBytes;
    public final int leaseTimeoutSeconds;
    public final int patience;
    public final double minDelta;
    public final PromoteMetric promoteMetric;
    public final double promoteMinGain;
    public final DriftAction driftAction;
    public final double driftMaxClassShareChange;
    public final double driftMaxBadFractionIncrease;
    public final String metricsPushUrl;
    public final int metricsPushTimeoutSeconds;

    private final String rendered;

    private JobConfig(Config c) {
        ConfigReader r = new ConfigReader(c);
        epochs = r.intIn("epochs", 1, 100_000);
        batchSize = r.intIn("batch_size", 1, 65_536);
        seed = r.longAny("seed");
        imageSize = r.intIn("image_size", 1, 4096);
        if (imageSize < AlexNet.MIN_IMAGE_SIZE) {
            throw new ConfigError("config key 'image_size' = " + imageSize + " is too small for the AlexNet geometry: "
                    + "every 3x3/2 max-pool needs a 3x3 input, which takes image_size >= " + AlexNet.MIN_IMAGE_SIZE);
        }
        widthFactor = r.doubleIn("width_factor", 0.01, 4.0);
        dropout = r.doubleIn("dropout", 0.0, 0.95);
        nativeKernels = r.bool("native_kernels");
        weightInit = r.enumOf("weight_init", WeightInit.class);
        int resize = r.intIn("resize_size", 0, 8192);
        resizeSize = resize > 0 ? resize : (int) Math.round(imageSize * 256.0 / 227);
        if (resizeSize < imageSize) {
            throw new ConfigError("config key 'resize_size' = " + resize + " is smaller than image_size = " + imageSize
                    + ": training crops image_size squares from the cached resize_size ones");
        }
        cacheDir = r.string("cache_dir");
        augmentCrop = r.bool("augment_crop");
        augmentFlip = r.bool("augment_flip");
        augmentColour = r.bool("augment_colour");
        augmentMinScale = r.doubleIn("augment_min_scale", 0.05, 1.0);
        evalCrops = r.intIn("eval_crops", 1, 10);
        if (!EvalCrops.allowed(evalCrops)) {
            throw new ConfigError(EvalCrops.refusal("config key 'eval_crops'", evalCrops));
        }
        optimizer = r.enumOf("optimizer", Optimizer.class);
        learningRate = r.doubleIn("learning_rate", 1e-12, 10.0);
        momentum = r.doubleIn("momentum", 0.0, 0.999);
        weightDecay = r.doubleIn("weight_decay", 0.0, 1.0);
        lrSchedule = r.enumOf("lr_schedule", LrSchedule.class);
        lrScaling = r.enumOf("lr_scaling", LrScaling.class);
        lrDecayEvery = r.intIn("lr_decay_every", 0, 100_000);
        lrDecayFactor = r.doubleIn("lr_decay_factor", 1e-6, 1.0);
        lrPatience = r.intIn("lr_patience", 1, 100_000);
        lrMin = r.doubleIn("lr_min", 0.0, 10.0);
        lrWarmupEpochs = r.intIn("lr_warmup_epochs", 0, 100_000);
        workers = r.intIn("workers", 0, 100_000);
        averagingFrequency = r.intIn("averaging_frequency", 1, 100_000);
        optimizerState = r.enumOf("optimizer_state", OptimizerState.class);
        parameterTransfer = r.enumOf("parameter_transfer", ParameterTransfer.class);
        exchangePort = r.intIn("exchange_port", 0, 65535);
        exchangeRelay = r.enumOf("exchange_relay", ExchangeRelay.class);
        relayPorts = r.ports("relay_ports");
        trainingMode = r.enumOf("training_mode", TrainingMode.class);
        sharingThreshold = r.doubleIn("sharing_threshold", 1e-9, 1.0);
        sharingPort = r.intIn("sharing_port", 1024, 60000);
        sharingNetworkMask = r.string("sharing_network_mask");
        sharingTrustedNetwork = r.bool("sharing_trusted_network");
        prefetch = r.intIn("prefetch", 0, 1000);
        decodePartitions = r.intIn("decode_partitions", 0, 1_000_000);
        threadsPerWorker = r.intIn("threads_per_worker", 0, 4096);
        progressIntervalSeconds = r.intIn("progress_interval_s", 1, 86_400);
        trainEvalFraction = r.doubleIn("train_eval_fraction", 0.0, 1.0);
        maxBadFraction = r.doubleIn("max_bad_fraction", 0.0, 1.0);
        maxImageBytes = r.longIn("max_image_bytes", 1024, Long.MAX_VALUE);
        leaseTimeoutSeconds = r.intIn("lease_timeout_s", 4, 86_400);
        patience = r.intIn("patience", 0, 100_000);
        minDelta = r.doubleIn("min_delta", 0.0, 1e6);
        promoteMetric = r.enumOf("promote_metric", PromoteMetric.class);
        promoteMinGain = r.doubleIn("promote_min_gain", 0.0, 1e6);
        driftAction = r.enumOf("drift_action", DriftAction.class);
        driftMaxClassShareChange = r.doubleIn("drift_max_class_share_change", 0.0, 1.0);
        driftMaxBadFractionIncrease = r.doubleIn("drift_max_bad_fraction_increase", 0.0, 1.0);
        metricsPushUrl = r.string("metrics_push_url").trim();
        if (!metricsPushUrl.isEmpty() && !metricsPushUrl.matches("https?://.+")) {
            throw new ConfigError("config key 'metrics_push_url' must be an http:// or https:// URL of a Pushgateway "
                    + "(got '" + metricsPushUrl + "')");
        }
        metricsPushTimeoutSeconds = r.intIn("metrics_push_timeout_s", 1, 300);
        r.rejectUnknownKeys();
        rendered = c.root().render(ConfigRenderOptions.concise().setJson(true));
    }

    /**
     * Builds the configuration.
     *
     * @param userFileText contents of a user's config file, or null
     * @param overrides    {@code --set} pairs; they win over the file and the defaults
     */
    public static JobConfig load(String userFileText, Map<String, String> overrides) {
        return new JobConfig(ConfigSources.merged(userFileText, overrides));
    }

    /** Parses {@code key=value} strings as given to {@code --set}. */
    public static Map<String, String> parseOverrides(Iterable<String> pairs) {
        return ConfigSources.parseOverrides(pairs);
    }

    /** Rebuilds a configuration saved with {@link #toJson()} (e.g. from a checkpoint). */
    public static JobConfig fromJson(String json) {
        return new JobConfig(ConfigSources.merged(json, com.typesafe.config.ConfigSyntax.JSON, Map.of()));
    }

    /** The effective configuration as JSON: printed at start and saved in checkpoints. */
    public String toJson() {
        return rendered;
    }

    /**
     * Keys a resumed run cannot change: the network and its optimizer were built with them and the
     * checkpoint holds what they built (layer shapes, dropout and weight decay in the layers, the
     * optimizer's kind and state), or they define the run's random streams. Every other key
     * applies from the resumed epoch on (learning rate and schedule, epochs, augmentation, ...).
     */
    public static final List<String> FIXED_WITHIN_A_RUN = List.of("image_size", "width_factor", "dropout",
            "weight_init", "optimizer", "momentum", "weight_decay", "seed");

    /** {@code key=saved (checkpoint) vs key=this (this run)} for each key of {@link #FIXED_WITHIN_A_RUN} that differs from {@code saved}. */
    public List<String> fixedChangesFrom(JobConfig saved) {
        Map<String, Object> mine = values();
        Map<String, Object> theirs = saved.values();
        List<String> changes = new java.util.ArrayList<>();
        for (String key : FIXED_WITHIN_A_RUN) {
            if (!java.util.Objects.equals(String.valueOf(mine.get(key)), String.valueOf(theirs.get(key)))) {
                changes.add(key + "=" + theirs.get(key) + " (checkpoint) vs " + key + "=" + mine.get(key) + " (this run)");
            }
        }
        return changes;
    }

    /** Every key with its value, sorted by key. */
    public Map<String, Object> values() {
        Config c = ConfigFactory.parseString(rendered);
        Map<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            sorted.put(e.getKey(), e.getValue().unwrapped());
        }
        return sorted;
    }

    /** One {@code key = value} line per key, sorted, for the start-up log. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        values().forEach((k, v) -> sb.append("  ").append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }
}
