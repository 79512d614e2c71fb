package io.sparkalex.plan;

import io.sparkalex.averaging.RoundBreakdown;
import io.sparkalex.storage.EpochMetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Fits the model's terms (docs/planning.md) to what calibration runs wrote, per averaging frequency
 * (one run per pass): t_b and c from its rounds ({@code rounds.jsonl}), the epoch extras as what its
 * epochs' training time ({@code metrics.jsonl}) leaves beyond them, so that the plan of a
 * calibration run's layout reproduces its epochs after the first; the pooled terms (medians over
 * the runs) serve frequencies that were not calibrated.
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
        if (runs.isEmpty() || runs.stream().anyMatch(r -> r.epochs().size() < 2 || r.rounds().isEmpty())) {
            throw new IllegalArgumentException("every calibration run needs two epochs or more of metrics and rounds");
        }
        Map<Integer, List<Measured>> byFrequency = runs.stream().collect(Collectors.groupingBy(
                Measured::averagingFrequency, LinkedHashMap::new, Collectors.toList()));
        List<Calibration.Run> fitted = byFrequency.values().stream().map(CalibrationFit::run).toList();
        List<RoundBreakdown> all = runs.stream().flatMap(r -> steady(r.rounds()).stream()).toList();
        List<RoundBreakdown> later = all.stream().filter(r -> r.round() > 1).toList();
        double bytesPerWorker = median(all, r -> (double) r.resultBytes() / r.workers());
        double rate = median(later.isEmpty() ? all : later, r -> (r.resultBytes() + r.broadcastBytes())
                / Math.max(1e-9, r.uploadSeconds() + r.broadcastFetchSeconds()));
        long cacheImages = runs.stream().mapToLong(Measured::cacheImages).sum();
        double cacheSeconds = runs.stream().mapToDouble(Measured::cacheSeconds).sum();
        Calibration.Terms terms = new Calibration.Terms(
                median(fitted, Calibration.Run::minibatchSeconds),
                median(fitted, Calibration.Run::roundFixedSeconds),
                bytesPerWorker, rate,
                median(fitted, Calibration.Run::epochExtraSeconds),
                median(fitted, Calibration.Run::firstEpochExtraSeconds),
                median(fitted, Calibration.Run::evalSecondsPerImage),
                median(fitted, Calibration.Run::betweenEpochsSeconds),
                cacheSeconds > 0 ? cacheImages / cacheSeconds / executorCores : Double.NaN,
                median(runs.stream().map(CalibrationFit::overhead).toList(), Double::doubleValue));
        return new Fitted(terms, fitted);
    }

    /** The pooled terms and the runs. */
    public record Fitted(Calibration.Terms terms, List<Calibration.Run> runs) {
    }

    /**
     * One frequency's terms, from its passes (separate runs, interleaved with the other
     * frequencies' so that a slow spell of the machine does not land on one frequency alone). t_b
     * and c from the rounds after each epoch's first (an epoch's first round launches, fetches the
     * whole network and fits cold; after calibrate's warm-up every epoch's later rounds are warm):
     * t_b the fit time over the minibatches of the critical workers, c the mean time beyond the fit
     * (one round an epoch: the later epochs' first rounds, less launch and full fetch). Means, not
     * medians: an epoch's time is their sum. x what each pass's epochs after its first leave of
     * their training time beyond their rounds' m t_b + c; x1 the first epochs' on top.
     */
    private static Calibration.Run run(List<Measured> passes) {
        Measured m = passes.get(0);
        List<RoundBreakdown> rounds = passes.stream().flatMap(p -> p.rounds().stream()).toList();
        List<RoundBreakdown> later = rounds.stream().filter(r -> r.round() > 1).toList();
        double tb;
        double c;
        if (!later.isEmpty()) {
            tb = later.stream().mapToDouble(RoundBreakdown::fitSeconds).sum()
                    / later.stream().mapToInt(CalibrationFit::minibatchesPerWorker).sum();
            c = later.stream().mapToDouble(r -> r.roundSeconds() - r.fitSeconds()).average().orElseThrow();
        } else {
            List<RoundBreakdown> steady = passes.stream().flatMap(p -> steady(p.rounds()).stream()).toList();
            tb = steady.stream().mapToDouble(RoundBreakdown::fitSeconds).sum()
                    / steady.stream().mapToInt(CalibrationFit::minibatchesPerWorker).sum();
            c = steady.stream().mapToDouble(r -> r.roundSeconds() - r.fitSeconds() - r.launchSeconds()
                    - r.broadcastFetchSeconds()).average().orElseThrow();
        }
        double x = passes.stream().flatMap(p -> sorted(p).subList(1, p.epochs().size()).stream()
                .map(e -> e.trainSeconds() - modelled(p.rounds(), e.epoch(), tb, c)))
                .mapToDouble(Double::doubleValue).average().orElseThrow();
        double x1 = passes.stream().mapToDouble(p -> sorted(p).get(0).trainSeconds()
                - modelled(p.rounds(), sorted(p).get(0).epoch(), tb, c) - x).average().orElseThrow();
        List<EpochMetrics> epochs = passes.stream().flatMap(p -> sorted(p).stream()).toList();
        EpochMetrics last = sorted(m).get(m.epochs().size() - 1);
        return new Calibration.Run(m.averagingFrequency(), m.workers(), passes.size(), m.trainImages(), m.valImages(),
                m.epochs().size(), (int) m.rounds().stream().filter(r -> r.epoch() == last.epoch()).count(), tb, c, x,
                x1, median(epochs, e -> e.evalSeconds() * m.workers() / Math.max(1, e.valImages() * m.evalCrops())),
                median(passes.stream().flatMap(p -> pairs(sorted(p)).stream()).toList(), d -> d),
                epochs.stream().map(EpochMetrics::imagesPerSec).toList(),
                passes.stream().mapToLong(Measured::cacheImages).sum(),
                passes.stream().mapToDouble(Measured::cacheSeconds).sum(),
                passes.stream().mapToDouble(Measured::runSeconds).sum());
    }

    private static List<EpochMetrics> sorted(Measured m) {
        return m.epochs().stream().sorted(Comparator.comparingInt(EpochMetrics::epoch)).toList();
    }

    /** The rounds of the epochs after the first. */
    private static List<RoundBreakdown> steady(List<RoundBreakdown> rounds) {
        int first = rounds.stream().mapToInt(RoundBreakdown::epoch).min().orElse(1);
        return rounds.stream().filter(r -> r.epoch() > first).toList();
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
