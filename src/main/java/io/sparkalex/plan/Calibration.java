package io.sparkalex.plan;

import io.sparkalex.storage.Json;

import java.util.List;

/**
 * What {@code calibrate} measured on one cluster layout, and what {@code plan} extrapolates from:
 * the terms of the model in docs/planning.md, each fitted from the calibration runs' own
 * {@code rounds.jsonl} and {@code metrics.jsonl}, with the runs themselves, the machine, the
 * versions and the date. Written as JSON ({@code calibration.json}); field names are the file's.
 *
 * @param format  {@value #FORMAT}; a plan refuses a file of another format
 * @param cluster the layout measured: one file per layout (re-run {@code calibrate} per executor shape)
 * @param network the network measured: a plan is for that network
 * @param terms   the model's terms, pooled over the runs
 * @param runs    each averaging frequency's run, with its own figures
 */
public record Calibration(int format, String date, Machine machine, Versions versions, Cluster cluster,
                          Network network, Terms terms, List<Run> runs) {
    public static final int FORMAT = 1;

    /** The driver's machine (on a cluster, executors' hosts may differ: {@link Cluster} says their cores). */
    public record Machine(String cpu, int cores, double memoryGib, String os) {
    }

    public record Versions(String sparkalex, String gitCommit, String dl4j, String nd4jBackend, String spark,
                           String java) {
    }

    /**
     * @param master         Spark's master URL (local[N], spark://, yarn, k8s://), without credentials
     * @param workers        the replicas trained (task slots used)
     * @param coresPerWorker cores each replica ran on ({@code spark.task.cpus}; local mode: the threads per worker)
     * @param device         cpu or gpu
     */
    public record Cluster(String master, int workers, int coresPerWorker, String device) {
    }

    public record Network(int imageSize, double widthFactor, long parameters, int batchSize,
                          String parameterTransfer, String exchangeRelay, int evalCrops) {
    }

    /**
     * The model's terms (seconds unless named otherwise).
     *
     * @param minibatchSeconds           t_b: one worker fitting one minibatch (median of the rounds' fit / minibatches per worker)
     * @param roundFixedSeconds          c: a round's time beyond its fitting, at the calibrated workers (median of rounds after an epoch's first)
     * @param transferBytesPerWorker     S': one worker's change (or the average change) per round, as sent
     * @param transferBytesPerSecond     B: the driver's link as measured (bytes through it per round over the critical worker's upload and fetch)
     * @param epochExtraSeconds          x: an epoch's training time beyond its rounds' t_b and c (its first round's launch and full fetch, its end)
     * @param firstEpochExtraSeconds     x1: the first epoch of a run beyond x (networks built, JIT)
     * @param evalSecondsPerImage        one worker scoring one val image (one crop), fixed costs included
     * @param betweenEpochsSeconds       from an epoch's metrics to the next epoch's start: checkpoint, report
     * @param cacheImagesPerSecondPerCore the image cache's build, per executor core
     * @param runOverheadSeconds         the rest of a run: Spark and the job starting, the cache opened, the end
     */
    public record Terms(double minibatchSeconds, double roundFixedSeconds, double transferBytesPerWorker,
                        double transferBytesPerSecond, double epochExtraSeconds, double firstEpochExtraSeconds,
                        double evalSecondsPerImage, double betweenEpochsSeconds, double cacheImagesPerSecondPerCore,
                        double runOverheadSeconds) {
    }

    /**
     * One averaging frequency's calibration: its passes (runs of the same sample), the terms fitted
     * from them alone and what they measured (sizes and epochs per pass; images/s of every pass's
     * epochs; cache and run seconds summed); {@code roundFixedSeconds} is NaN when each epoch had one round.
     */
    public record Run(int averagingFrequency, int workers, int passes, long trainImages, long valImages, int epochs,
                      int roundsPerEpoch, double minibatchSeconds, double roundFixedSeconds,
                      double epochExtraSeconds, double firstEpochExtraSeconds, double evalSecondsPerImage,
                      double betweenEpochsSeconds, List<Double> trainImagesPerSecond, long cacheImages,
                      double cacheSeconds, double runSeconds) {
    }

    /** The run of averaging frequency {@code f}, or null. */
    public Run run(int f) {
        return runs.stream().filter(r -> r.averagingFrequency() == f).findFirst().orElse(null);
    }

    public String toJson() {
        return Json.pretty(this) + "\n";
    }

    /** Reads a calibration file's text; another format is refused. */
    public static Calibration fromJson(String json) {
        Calibration c = Json.read(json, Calibration.class);
        if (c.format() != FORMAT || c.terms() == null || c.cluster() == null || c.network() == null) {
            throw new IllegalArgumentException("not a calibration file of format " + FORMAT + " (written by "
                    + "sparkalex calibrate)");
        }
        return c;
    }
}
