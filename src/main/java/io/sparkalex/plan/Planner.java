package io.sparkalex.plan;

import io.sparkalex.config.ExchangeRelay;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The model of docs/planning.md: a calibration's terms and a run's description give the run's
 * speed, time and cost. Per steady epoch of N images, batch b, W workers averaging every f:
 * M = ceil(N / b) minibatches in R = ceil(M / (W f)) rounds of m = ceil(M / (R W)) minibatches per
 * worker, each round m t_b + c0 + hops(W) S' / B; plus the epoch's extra x, its evaluation and the
 * checkpoint. t_b, c and x are the calibration run's at the same f (frequencies change how the
 * workers' fits overlap the driver's work), else the medians over the frequencies calibrated.
 * Arithmetic only: no Spark, no files.
 */
public final class Planner {
    private final Calibration cal;
    private final String source;

    /** @param source how the plan names the calibration (its file) */
    public Planner(Calibration cal, String source) {
        this.cal = cal;
        this.source = source;
    }

    /**
     * The plan of {@code run}, with the same run at each worker count of {@code range} and where
     * adding workers stops gaining {@code minGain} of one worker's images/s per added worker.
     *
     * @throws IllegalArgumentException for a GPU run from a CPU calibration without a GPU's t_b
     */
    public Plan plan(RunDescription run, List<Integer> range, double minGain) {
        List<String> extrapolations = extrapolations(run);
        Point at = point(run);
        double one = point(run.withWorkers(1)).imagesPerSecond;
        List<Plan.Scale> scaling = new ArrayList<>();
        Integer stops = null;
        double previous = Double.NaN;
        int previousWorkers = 0;
        for (int w : range.stream().sorted().distinct().toList()) {
            Point p = point(run.withWorkers(w));
            scaling.add(new Plan.Scale(w, p.nodes, p.imagesPerSecond, p.imagesPerSecond / one,
                    p.imagesPerSecond / (w * one), p.epochSeconds(), p.totalSeconds, p.nodeHours));
            if (stops == null && !Double.isNaN(previous)
                    && (p.imagesPerSecond - previous) / ((w - previousWorkers) * one) < minGain) {
                stops = previousWorkers;
            }
            previous = p.imagesPerSecond;
            previousWorkers = w;
        }
        return new Plan(run, source, extrapolations, at.imagesPerSecond, at.runImagesPerSecond,
                at.imagesPerSecond / (run.workers() * one), at.epoch, at.epochSeconds(), at.totalSeconds, at.cache,
                at.firstExtra, cal.terms().runOverheadSeconds(), at.test, at.nodes, at.nodeHours, scaling, minGain,
                stops);
    }

    /** The figures at one worker count. */
    private record Point(Plan.EpochTime epoch, double imagesPerSecond, double runImagesPerSecond, double cache,
                         double firstExtra, double test, double totalSeconds, int nodes, double nodeHours) {
        double epochSeconds() {
            return epoch.total();
        }
    }

    private Point point(RunDescription run) {
        Calibration.Terms t = cal.terms();
        int w = run.workers();
        long m = (run.trainImages() + run.batchSize() - 1) / run.batchSize();
        long perRound = (long) w * run.averagingFrequency();
        int rounds = (int) Math.max(1, (m + perRound - 1) / perRound);
        int mPerWorker = (int) ((m + (long) rounds * w - 1) / ((long) rounds * w));
        Calibration.Run calibrated = cal.run(run.averagingFrequency());
        double x = calibrated != null ? calibrated.epochExtraSeconds() : t.epochExtraSeconds();
        double x1 = calibrated != null ? calibrated.firstEpochExtraSeconds() : t.firstEpochExtraSeconds();
        double c = calibrated != null ? calibrated.roundFixedSeconds() : t.roundFixedSeconds();
        double perImage = t.evalSecondsPerImage() * cal.network().evalCrops() / w;
        Plan.EpochTime epoch = new Plan.EpochTime(rounds, mPerWorker, rounds * mPerWorker * minibatchSeconds(run, calibrated),
                rounds * roundFixedSeconds(c), rounds * transferSeconds(w, bytesPerSecond(run)), x,
                run.valImages() * perImage, t.betweenEpochsSeconds());
        double cache = (run.trainImages() + run.valImages() + run.testImages())
                / (t.cacheImagesPerSecondPerCore() * w * run.coresPerWorker());
        double test = run.testImages() * perImage;
        double total = t.runOverheadSeconds() + cache + run.epochs() * epoch.total() + x1 + test;
        int nodes = run.nodes();
        double runRate = run.epochs() * (double) run.trainImages() / (run.epochs() * epoch.training() + x1);
        return new Point(epoch, run.trainImages() / epoch.training(), runRate, cache, x1, test, total, nodes,
                (nodes + (run.driverNode() ? 1 : 0)) * total / 3600);
    }

    /**
     * t_b for the run's machine: the calibration's at the run's frequency (else the median of the
     * frequencies calibrated), scaled for another batch size or core count; or the one given.
     */
    private double minibatchSeconds(RunDescription run, Calibration.Run calibrated) {
        if (!Double.isNaN(run.minibatchSeconds())) {
            return run.minibatchSeconds();
        }
        double tb = calibrated != null ? calibrated.minibatchSeconds() : cal.terms().minibatchSeconds();
        return tb * run.batchSize() / cal.network().batchSize()
                * cal.cluster().coresPerWorker() / run.coresPerWorker();
    }

    /** c0: the round's fixed cost without the calibration's transfers (those are priced per worker count). */
    private double roundFixedSeconds(double c) {
        return Math.max(0, c - transferSeconds(cal.cluster().workers(), cal.terms().transferBytesPerSecond()));
    }

    /** The changes up through the driver's link, then down it (once per hop with the relay tree). */
    private double transferSeconds(int workers, double bytesPerSecond) {
        boolean relay = ExchangeRelay.valueOf(cal.network().exchangeRelay().toUpperCase(Locale.ROOT)).enabled(workers);
        int down = relay ? 32 - Integer.numberOfLeadingZeros(workers) : workers;   // floor(log2 W) + 1 hops
        return (workers + down) * cal.terms().transferBytesPerWorker() / bytesPerSecond;
    }

    private double bytesPerSecond(RunDescription run) {
        return Double.isNaN(run.linkGbps()) ? cal.terms().transferBytesPerSecond() : run.linkGbps() * 1e9 / 8;
    }

    private List<String> extrapolations(RunDescription run) {
        List<String> e = new ArrayList<>();
        Calibration.Cluster c = cal.cluster();
        boolean gpu = "gpu".equalsIgnoreCase(run.device());
        if (gpu != "gpu".equalsIgnoreCase(c.device()) && Double.isNaN(run.minibatchSeconds())) {
            throw new IllegalArgumentException("the calibration ran on " + c.device() + ", the plan is for "
                    + run.device() + ": give the minibatch time of that device (--minibatch-seconds), or calibrate on it");
        }
        if (!Double.isNaN(run.minibatchSeconds())) {
            e.add(String.format(Locale.ROOT, "t_b = %s s per minibatch as given, not calibrated (calibrated: %s s "
                    + "on %d %s cores per worker)", num(run.minibatchSeconds()), num(cal.terms().minibatchSeconds()),
                    c.coresPerWorker(), c.device()));
        } else {
            if (run.coresPerWorker() != c.coresPerWorker()) {
                e.add(String.format(Locale.ROOT, "%d cores per worker from a %d-core calibration: t_b scaled linearly "
                        + "with cores (optimistic where ND4J's convolutions stop scaling)", run.coresPerWorker(),
                        c.coresPerWorker()));
            }
            if (run.batchSize() != cal.network().batchSize()) {
                e.add(String.format(Locale.ROOT, "batch %d from a batch-%d calibration: t_b scaled linearly with the batch",
                        run.batchSize(), cal.network().batchSize()));
            }
        }
        if (!Double.isNaN(run.linkGbps())) {
            e.add(String.format(Locale.ROOT, "the driver's link at %s Gbit/s (calibration measured %s Gbit/s)",
                    num(run.linkGbps()), num(cal.terms().transferBytesPerSecond() * 8 / 1e9)));
        }
        if (run.workers() > c.workers()) {
            e.add(String.format(Locale.ROOT, "%d workers from a %d-worker calibration: the transfers grow as the "
                    + "model says, the rest of a round's fixed cost is taken as constant", run.workers(), c.workers()));
        }
        if (cal.run(run.averagingFrequency()) == null) {
            e.add("f=" + run.averagingFrequency() + " not calibrated: t_b, the round's fixed cost and an epoch's start "
                    + "and end from the calibrated frequencies' medians");
        }
        return e;
    }

    /** Three significant digits, no trailing zeros. */
    static String num(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
