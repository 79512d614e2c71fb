package io.sparkalex.plan;

import java.util.List;
import java.util.Locale;

/**
 * A run's predicted speed and cost ({@link Planner}): training images/s, an epoch's wall time and
 * its parts, the run's, node-hours, the efficiency against one worker, and the same for a range of
 * worker counts with the point beyond which adding workers stops paying. Printed as a table
 * ({@link #table}) and written as JSON (field names are the JSON's).
 *
 * @param extrapolations what the plan assumes beyond what was calibrated (empty: all measured)
 * @param imagesPerSecond training images/s of a steady epoch (as metrics.jsonl's images_per_sec)
 * @param runImagesPerSecond the same over all the run's epochs, the first epoch's start included
 * @param epoch          where one steady epoch's time goes, seconds
 * @param stopsPayingAfter the most workers of {@link #scaling} worth having: adding the next step's
 *                       workers there gains less than {@code minGain} of one worker's speed each
 */
public record Plan(RunDescription run, String calibration, List<String> extrapolations, double imagesPerSecond,
                   double runImagesPerSecond, double efficiency, EpochTime epoch, double epochSeconds, double totalSeconds,
                   double cacheBuildSeconds, double firstEpochExtraSeconds, double runOverheadSeconds,
                   double testSeconds, int nodes, double nodeHours, List<Scale> scaling, double minGain,
                   Integer stopsPayingAfter) {

    /** One steady epoch, part by part. */
    public record EpochTime(int rounds, int minibatchesPerWorkerPerRound, double fitting, double roundFixed,
                            double transfers, double epochExtra, double evaluation, double betweenEpochs) {
        public double training() {
            return fitting + roundFixed + transfers + epochExtra;
        }

        public double total() {
            return training() + evaluation + betweenEpochs;
        }
    }

    /** The plan's figures at {@code workers} workers. */
    public record Scale(int workers, int nodes, double imagesPerSecond, double speedup, double efficiency,
                        double epochSeconds, double totalSeconds, double nodeHours) {
    }

    /** The plan as people read it. */
    public String table() {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "plan: %,d training images x %d epochs, batch %d, f=%d, %d workers x %d "
                        + "cores (%d nodes of %d cores%s), %s%n", run.trainImages(), run.epochs(), run.batchSize(),
                run.averagingFrequency(), run.workers(), run.coresPerWorker(), nodes, run.coresPerNode(),
                run.driverNode() ? " + a driver node" : "", run.device()));
        t.append("calibration: ").append(calibration).append('\n');
        for (String e : extrapolations) {
            t.append("extrapolated: ").append(e).append('\n');
        }
        row(t, "training images/s", String.format(Locale.ROOT, "%.1f per steady epoch, %.1f over the run's %d epochs",
                imagesPerSecond, runImagesPerSecond, run.epochs()));
        row(t, "time per epoch", clock(epochSeconds) + String.format(Locale.ROOT,
                " (training %s, evaluation %s, checkpoint %s)", clock(epoch.training()), clock(epoch.evaluation()),
                clock(epoch.betweenEpochs())));
        row(t, "total wall time", clock(totalSeconds) + String.format(Locale.ROOT,
                " (%.2f days; cache build %s, first-epoch start %s, test %s)", totalSeconds / 86_400,
                clock(cacheBuildSeconds), clock(firstEpochExtraSeconds), clock(testSeconds)));
        row(t, "node-hours", String.format(Locale.ROOT, "%.1f (%d nodes for %.1f h)", nodeHours,
                nodes + (run.driverNode() ? 1 : 0), totalSeconds / 3600));
        row(t, "efficiency vs 1 worker", String.format(Locale.ROOT, "%.2f (%.2fx one worker's images/s)", efficiency,
                efficiency * run.workers()));
        double e = epoch.total();
        t.append(String.format(Locale.ROOT, "an epoch's time: fitting %.1f%%, round fixed cost %.1f%%, transfers "
                        + "%.1f%%, epoch start and end %.1f%%, evaluation %.1f%%, checkpoint and report %.1f%% "
                        + "(%d rounds of %d minibatches per worker)%n", 100 * epoch.fitting() / e,
                100 * epoch.roundFixed() / e, 100 * epoch.transfers() / e, 100 * epoch.epochExtra() / e,
                100 * epoch.evaluation() / e, 100 * epoch.betweenEpochs() / e, epoch.rounds(),
                epoch.minibatchesPerWorkerPerRound()));
        t.append(String.format(Locale.ROOT, "%8s %6s %10s %8s %10s %10s %12s %11s%n", "workers", "nodes", "images/s",
                "speedup", "efficiency", "epoch", "total", "node-hours"));
        for (Scale s : scaling) {
            t.append(String.format(Locale.ROOT, "%8d %6d %10.1f %8.2f %10.2f %10s %12s %11.1f%n", s.workers(), s.nodes(),
                    s.imagesPerSecond(), s.speedup(), s.efficiency(), clock(s.epochSeconds()),
                    clock(s.totalSeconds()), s.nodeHours()));
        }
        t.append(stopsPayingAfter == null ? "adding workers pays over the whole range\n"
                : String.format(Locale.ROOT, "adding workers stops paying after %d: beyond, each added worker "
                + "gains less than %.0f%% of one worker's images/s%n", stopsPayingAfter, 100 * minGain));
        return t.toString();
    }

    private static void row(StringBuilder t, String name, String value) {
        t.append(String.format(Locale.ROOT, "  %-24s %s%n", name, value));
    }

    /** [-][d days ]h:mm:ss (a calibrated extra can be negative: the first epoch ran faster than later ones). */
    static String clock(double seconds) {
        if (seconds < 0) {
            return "-" + clock(-seconds);
        }
        long s = Math.round(seconds);
        long days = s / 86_400;
        String hms = String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
        return days == 0 ? hms : days + "d " + hms;
    }
}
