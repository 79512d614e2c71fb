package io.sparkalex.eval;

import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores each minibatch a worker's network fits, from that fit's own forward pass: the outputs the
 * gradient was computed from, with the dropout and augmentation of training, before the update
 * (torchvision's reference reports its training loss and accuracy this way). This is what
 * {@code train_loss} and {@code train_acc} are, and how the images fitted are counted: no second
 * pass over the training split. It also notices the first non-finite loss: divergence.
 *
 * <p>A DL4J listener: {@code onBackwardPass} comes after the gradient and the score, while the
 * output layer still holds its (dropped-out) input and the labels, and before the updater changes
 * the parameters; the output layer is applied to that input once more in inference mode (no
 * second dropout), a matrix product of minibatch x classes (docs/dl4j-hooks.md).
 *
 * <p>Either the worker that owns the network takes the sums itself ({@link #take}, the resident
 * averaging worker, which sends them with its round's result), or, on DL4J's own workers, they go
 * to a Spark accumulator keyed by round and partition ({@link TrainingPassAccumulator}). There the
 * sums are kept per running task, not in the listener: DL4J's gradient sharing builds its network
 * once per executor JVM and keeps training it, with the first epoch's listener, in later epochs'
 * tasks. Each task's deserialised scorer registers that task's accumulator, and whichever scorer
 * DL4J calls adds to the accumulator of the task running it.
 */
public final class TrainingPassScorer extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 2L;
    /** The running tasks' sums and accumulators, by task attempt (executor side). */
    private static final Map<Long, TaskSums> TASKS = new ConcurrentHashMap<>();

    private final TrainingPassAccumulator accumulator;
    private final int round;
    private transient ScoreSums sums;
    private transient String nonFinite;

    /** One task's sums so far, and where they go. */
    private static final class TaskSums {
        final TrainingPassAccumulator accumulator;
        final int round;
        ScoreSums sums = ScoreSums.EMPTY;

        TaskSums(TrainingPassAccumulator accumulator, int round) {
            this.accumulator = accumulator;
            this.round = round;
        }
    }

    private TrainingPassScorer(TrainingPassAccumulator accumulator, int round) {
        this.accumulator = accumulator;
        this.round = round;
    }

    /** Sums taken by the worker that owns the network ({@link #take}). */
    public static TrainingPassScorer owned() {
        return new TrainingPassScorer(null, 0);
    }

    /** Sums of round {@code round} (0: the epoch has no rounds) added to {@code accumulator}, by task partition. */
    public static TrainingPassScorer reportingTo(TrainingPassAccumulator accumulator, int round) {
        return new TrainingPassScorer(accumulator, round);
    }

    @Override
    public void onBackwardPass(Model model) {
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        Layer output = net.getOutputLayer();
        float[][] probabilities = output.activate(false, LayerWorkspaceMgr.noWorkspaces()).toFloatMatrix();
        ScoreSums batch = ScoreSums.score(probabilities, ((IOutputLayer) output).getLabels().argMax(1).toIntVector());
        if (nonFinite == null && (!Double.isFinite(batch.loss()) || !Double.isFinite(net.score()))) {
            nonFinite = "training loss " + (Double.isFinite(batch.loss()) ? net.score() : batch.loss());
        }
        if (accumulator == null) {
            sums = sums == null ? batch : sums.plus(batch);
            return;
        }
        TaskContext task = TaskContext.get();
        TaskSums t = task == null ? null : TASKS.get(task.taskAttemptId());
        if (t != null) {
            t.sums = t.sums.plus(batch);
            t.accumulator.add(new TrainingPassAccumulator.Entry(t.round, task.partitionId(), t.sums));
        }
    }

    /** The sums since the last call (the first: since the start), and starts anew; an accumulator's owner never calls it. */
    public ScoreSums take() {
        ScoreSums s = sums == null ? ScoreSums.EMPTY : sums;
        sums = null;
        return s;
    }

    /** The first loss that was not finite (e.g. "training loss NaN"), or null while every one was. */
    public String nonFinite() {
        return nonFinite;
    }

    /** In a task: this task's accumulator (registered with the task by Spark as it was read) takes its sums. */
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        TaskContext task = TaskContext.get();
        if (task != null && accumulator != null) {
            long attempt = task.taskAttemptId();
            TASKS.put(attempt, new TaskSums(accumulator, round));
            task.addTaskCompletionListener((TaskCompletionListener) done -> TASKS.remove(attempt));
        }
    }
}
