package io.sparkalex.plan;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.storage.EpochMetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Fits the model's terms (docs/planning.md) to what calibration runs wrote: t_b and c from
 * {@code rounds.jsonl} pooled over every run, then each run's epoch extras as what its epochs'
 * measured training time leaves beyond the pooled rounds ({@code metrics.jsonl}), so that the
 * plan of a calibration run reproduces it.
 */
public final class CalibrationFit {

    /** What one calibration run wrote and how long its parts took outside the epochs. */
    public record Measured(int averagingFrequency, int workers, int batchSize, long trainImages, long valImages,
                           int evalCrops, List<RoundBreakdown> rounds, List<EpochMetrics> epochs, long cacheImages,
                           double cacheSeconds, double runSeconds) {
    }

    private CalibrationFit() {
    }

    /**
     * The pooled terms and each run's own figures.
     *
     * @param executorCores the executor cores that built the image cache (its rate is per core)
     */
    public static Fitted fit(List<Measured> runs, int executorCores) {
        if (runs.isEmpty() || runs.stream().anyMatch(r -> r.epochs().isEmpty() || r.rounds().isEmpty())) {
            throw new IllegalArgumentException("every calibration run needs its epochs' metrics and rounds");
        }
        List<RoundBreakdown> all = runs.stream().flatMap(r -> r.rounds().stream()).toList();
        double tb = median(warm(all), CalibrationFit::perMinibatch);
        List<RoundBreakdown> later = all.stream().filter(r -> r.round() > 1).toList();
        // Runs whose epochs are one round each: a first round's fixed cost less its launch and its full fetch
        double c = !later.isEmpty() ? median(later, r -> r.roundSeconds() - r.fitSeconds())
                : median(all.stream().filter(r -> r.epoch() > 1).toList(),
                        r -> r.roundSeconds() - r.fitSeconds() - r.launchSeconds() - r.broadcastFetchSeconds());
        double bytesPerWorker = median(all, r -> (double) r.resultBytes() / r.workers());
        double rate = median(later.isEmpty() ? all : later, r -> (r.resultBytes() + downBytes(r))
                / Math.max(1e-9, r.uploadSeconds() + r.broadcastFetchSeconds()));

        List<Calibration.Run> fitted = new ArrayList<>();
        for (Measured m : runs) {
            fitted.add(run(m, tb, c, executorCores));
        }
        long cacheImages = runs.stream().mapToLong(Measured::cacheImages).sum();
        double cacheSeconds = runs.stream().mapToDouble(Measured::cacheSeconds).sum();
        Calibration.Terms terms = new Calibration.Terms(tb, c, bytesPerWorker, rate,
                median(fitted, Calibration.Run::epochExtraSeconds),
                median(fitted, Calibration.Run::firstEpochExtraSeconds),
                median(fitted, Calibration.Run::evalSecondsPerImage),
                median(fitted, Calibration.Run::betweenEpochsSeconds),
                cacheSeconds > 0 ? cacheImages / cacheSeconds / executorCores : Double.NaN,
                median(runs.stream().map(m -> overhead(m)).toList(), Double::doubleValue));
        return new Fitted(terms, fitted);
    }

    /** The pooled terms and the runs. */
    public record Fitted(Calibration.Terms terms, List<Calibration.Run> runs) {
    }

    private static Calibration.Run run(Measured m, double tb, double c, int executorCores) {
        List<EpochMetrics> epochs = m.epochs().stream().sorted(Comparator.comparingInt(EpochMetrics::epoch)).toList();
        EpochMetrics last = epochs.get(epochs.size() - 1);
        double x = last.trainSeconds() - modelled(m.rounds(), last.epoch(), tb, c);
        double x1 = epochs.size() < 2 ? 0
                : epochs.get(0).trainSeconds() - modelled(m.rounds(), epochs.get(0).epoch(), tb, c) - x;
        List<RoundBreakdown> own = m.rounds();
        List<RoundBreakdown> ownLater = own.stream().filter(r -> r.round() > 1).toList();
        double between = epochs.size() < 2 ? 0 : median(pairs(epochs), d -> d);
        return new Calibration.Run(m.averagingFrequency(), m.workers(), m.trainImages(), m.valImages(), epochs.size(),
                (int) own.stream().filter(r -> r.epoch() == last.epoch()).count(),
                median(warm(own), CalibrationFit::perMinibatch),
                ownLater.isEmpty() ? Double.NaN : median(ownLater, r -> r.roundSeconds() - r.fitSeconds()),
                x, x1,
                median(epochs, e -> e.evalSeconds() * m.workers() / Math.max(1, e.valImages() * m.evalCrops())),
                between, epochs.stream().map(EpochMetrics::imagesPerSec).toList(), m.cacheImages(), m.cacheSeconds(),
                m.runSeconds());
    }

    /** An epoch's rounds as the model has them: each round's critical minibatches times t_b, plus c. */
    static double modelled(List<RoundBreakdown> rounds, int epoch, double tb, double c) {
        return rounds.stream().filter(r -> r.epoch() == epoch)
                .mapToDouble(r -> minibatchesPerWorker(r) * tb + c).sum();
    }

    /** The minibatches the round's critical worker fitted: the round's, dealt evenly. */
    static int minibatchesPerWorker(RoundBreakdown r) {
        return (r.minibatches() + r.workers() - 1) / r.workers();
    }

    private static double perMinibatch(RoundBreakdown r) {
        return r.fitSeconds() / Math.max(1, minibatchesPerWorker(r));
    }

    /** Rounds past the run's very first (which fits while the JIT and oneDNN warm up). */
    private static List<RoundBreakdown> warm(List<RoundBreakdown> rounds) {
        List<RoundBreakdown> w = rounds.stream().filter(r -> r.epoch() > 1 || r.round() > 1).toList();
        return w.isEmpty() ? rounds : w;
    }

    /** What the driver sent down in a round: the broadcast bytes it counted. */
    private static double downBytes(RoundBreakdown r) {
        return r.broadcastBytes();
    }

    /** From each epoch's metrics to the next epoch's start (checkpoint, report). */
    private static List<Double> pairs(List<EpochMetrics> epochs) {
        List<Double> gaps = new ArrayList<>();
        for (int i = 0; i + 1 < epochs.size(); i++) {
            EpochMetrics e = epochs.get(i);
            double wall = seconds(e.started(), epochs.get(i + 1).started());
            gaps.add(Math.max(0, wall - e.epochSeconds()));
        }
        return gaps;
    }

    /** The run's time outside its epochs and the cache build: start, cache opened, the end. */
    private static double overhead(Measured m) {
        List<EpochMetrics> epochs = m.epochs();
        EpochMetrics first = epochs.get(0);
        EpochMetrics last = epochs.get(epochs.size() - 1);
        double inEpochs = seconds(first.started(), last.timestamp());
        double between = epochs.size() < 2 ? 0 : median(pairs(epochs), d -> d);
        return Math.max(0, m.runSeconds() - inEpochs - between);
    }

    private static double seconds(String from, String to) {
        return Duration.between(Instant.parse(from), Instant.parse(to)).toNanos() / 1e9;
    }

    static <T> double median(List<T> items, ToDoubleFunction<T> value) {
        double[] v = items.stream().mapToDouble(value).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
