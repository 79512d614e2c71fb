package io.sparkalex.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import static io.sparkalex.plan.CalibrationFit.median;

/**
 * Several calibrations of one layout and network, taken at different times, as one: each term
 * the median over them. Why: a machine's speed wanders between spells of minutes (this project's
 * 2-core VM: 10-20%, bench/NOTES.md), and one calibration of a few minutes measures the spell it
 * ran in; calibrations spread over the hours (or days) a run will take measure the machine those
 * hours give.
 */
public final class CalibrationPool {
    private CalibrationPool() {
    }

    /**
     * The pooled calibration; one is returned as it is.
     *
     * @throws IllegalArgumentException for calibrations of different layouts (workers, cores, device) or networks
     */
    public static Calibration of(List<Calibration> calibrations) {
        Calibration first = calibrations.get(0);
        if (calibrations.size() == 1) {
            return first;
        }
        for (Calibration c : calibrations) {
            Calibration.Cluster a = first.cluster();
            Calibration.Cluster b = c.cluster();
            if (a.workers() != b.workers() || a.coresPerWorker() != b.coresPerWorker()
                    || !Objects.equals(a.device(), b.device()) || !first.network().equals(c.network())) {
                throw new IllegalArgumentException("calibrations of different layouts or networks cannot be pooled: "
                        + a + " " + first.network() + " against " + b + " " + c.network());
            }
        }
        Calibration.Terms t = new Calibration.Terms(
                median(calibrations, c -> c.terms().minibatchSeconds()),
                median(calibrations, c -> c.terms().roundFixedSeconds()),
                median(calibrations, c -> c.terms().transferBytesPerWorker()),
                median(calibrations, c -> c.terms().transferBytesPerSecond()),
                median(calibrations, c -> c.terms().epochExtraSeconds()),
                median(calibrations, c -> c.terms().firstEpochExtraSeconds()),
                median(calibrations, c -> c.terms().evalSecondsPerImage()),
                median(calibrations, c -> c.terms().betweenEpochsSeconds()),
                median(calibrations, c -> c.terms().cacheImagesPerSecondPerCore()),
                median(calibrations, c -> c.terms().runOverheadSeconds()));
        List<Calibration.Run> runs = new ArrayList<>();
        for (Calibration.Run r : first.runs()) {
            List<Calibration.Run> same = calibrations.stream().map(c -> c.run(r.averagingFrequency()))
                    .filter(Objects::nonNull).toList();
            runs.add(new Calibration.Run(r.averagingFrequency(), r.workers(), same.stream().mapToInt(Calibration.Run::passes).sum(),
                    r.trainImages(), r.valImages(), r.epochs(), r.roundsPerEpoch(),
                    median(same, Calibration.Run::minibatchSeconds), median(same, Calibration.Run::roundFixedSeconds),
                    median(same, Calibration.Run::epochExtraSeconds), median(same, Calibration.Run::firstEpochExtraSeconds),
                    median(same, Calibration.Run::evalSecondsPerImage), median(same, Calibration.Run::betweenEpochsSeconds),
                    same.stream().flatMap(s -> s.trainImagesPerSecond().stream()).toList(),
                    same.stream().mapToLong(Calibration.Run::cacheImages).sum(),
                    same.stream().mapToDouble(Calibration.Run::cacheSeconds).sum(),
                    same.stream().mapToDouble(Calibration.Run::runSeconds).sum()));
        }
        return new Calibration(Calibration.FORMAT,
                calibrations.stream().map(Calibration::date).collect(Collectors.joining(", ")),
                first.machine(), first.versions(), first.cluster(), first.network(), t, runs);
    }
}
