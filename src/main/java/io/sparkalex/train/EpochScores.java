package io.sparkalex.train;

import io.sparkalex.config.JobConfig;
import io.sparkalex.data.BatchPlan;
import io.sparkalex.data.CachedSplit;
import io.sparkalex.data.ClassIndex;
import io.sparkalex.eval.EvalResult;
import io.sparkalex.eval.Evaluator;
import io.sparkalex.eval.ScoreSums;
import io.sparkalex.storage.EpochMetrics;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * An epoch's numbers: val (and, when {@code train_eval_fraction > 0}, a fixed share of the
 * training split) scored in inference mode in one broadcast, and the epoch's metrics line,
 * training loss and accuracy from the training pass itself.
 */
final class EpochScores {
    private final JavaSparkContext sc;
    private final JobConfig config;
    private final Evaluator evaluator;
    private final ClassIndex classes;
    private final List<String> val;
    private final List<String> trainSample;

    /** Val's scores, and the training sample's (null when none is asked for). */
    record Scores(EvalResult val, EvalResult trainSample) {
    }

    EpochScores(JavaSparkContext sc, JobConfig config, Evaluator evaluator, ClassIndex classes, CachedSplit train,
                CachedSplit val) {
        this.sc = sc;
        this.config = config;
        this.evaluator = evaluator;
        this.classes = classes;
        this.val = BatchPlan.evaluation(val, config.batchSize);
        this.trainSample = sample(BatchPlan.evaluation(train, config.batchSize), config.trainEvalFraction, config.seed);
    }

    /** The val minibatches (promotion scores the incumbent on them too). */
    List<String> val() {
        return val;
    }

    /** Val (and train-sample) scores of the network as it is after {@code epoch}, in one broadcast. */
    Scores evaluate(MultiLayerNetwork network, int epoch) {
        sc.setJobGroup("sparkalex-epoch-" + epoch, "epoch " + epoch + " evaluation", false);
        try {
            List<Evaluator.Batches> what = new ArrayList<>(List.of(new Evaluator.Batches("val", val, config.evalCrops)));
            if (!trainSample.isEmpty()) {
                what.add(new Evaluator.Batches("train sample", trainSample, 1));
            }
            List<EvalResult> r = evaluator.evaluate(network, what);
            return new Scores(r.get(0), r.size() > 1 ? r.get(1) : null);
        } finally {
            sc.clearJobGroup();
        }
    }

    /**
     * The epoch's line: training from the training pass itself, val (and a train sample) from
     * inference; {@code t0}, {@code t1}: the training's start and end (nanoTime), now its end.
     */
    EpochMetrics metrics(int epoch, double lr, ScoreSums pass, Scores scores, Instant started, long t0, long t1) {
        long t2 = System.nanoTime();
        double trainSeconds = (t1 - t0) / 1e9;
        EvalResult v = scores.val();
        EvalResult sample = scores.trainSample();
        return new EpochMetrics(epoch, pass.loss(), pass.accuracy(), v.loss(), v.accuracy(), top5(v, classes),
                pass.examples() / trainSeconds, (t2 - t0) / 1e9, trainSeconds, (t2 - t1) / 1e9, lr,
                pass.examples(), v.examples(), Instant.now().toString(),
                sample == null ? null : sample.loss(), sample == null ? null : sample.accuracy(), started.toString());
    }

    /** Top-5 accuracy says nothing with 5 classes or fewer: null there. */
    static Double top5(EvalResult r, ClassIndex classes) {
        return classes.size() > 5 ? r.top5Accuracy() : null;
    }

    /**
     * A fixed, seed-determined share of the training batches for the inference-mode train metrics
     * ({@code train_eval_fraction}; 0: none, the default).
     */
    static List<String> sample(List<String> paths, double fraction, long seed) {
        if (fraction <= 0) {
            return List.of();
        }
        if (fraction >= 1.0) {
            return paths;
        }
        List<String> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new Random(seed));
        return List.copyOf(shuffled.subList(0, Math.max(1, (int) Math.ceil(fraction * paths.size()))));
    }
}
