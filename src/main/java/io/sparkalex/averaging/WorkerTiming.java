package io.sparkalex.averaging;

import java.io.Serializable;

/**
 * What one worker task of an averaging round spent its time on, measured in the executor and
 * sent back to the driver through an accumulator: getting the round's parameters (broadcast
 * fetch and deserialisation), copying them into its resident network, fitting its minibatches,
 * sending its result to the driver, and (last round of an epoch) writing its optimizer state.
 */
public record WorkerTiming(int epoch, int round, int partition, long broadcastNanos, long copyNanos, long fitNanos,
                           int minibatches, long stateFileNanos, long uploadNanos) implements Serializable {
}
