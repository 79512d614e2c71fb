package io.sparkalex.averaging;

import io.sparkalex.eval.TrainingPassScorer;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A worker's copy of the driver's parameters for its epoch task ({@link EpochWorker}): its
 * network, and {@code base}, the driver's parameters of version {@code held}, bit-identical to the
 * driver's; {@code wire} (bfloat16), a row for a change that must be whole before it is used (on
 * ND4J's path; a relayed one arrives in {@code update}), made once per task. How each round's
 * version gets here: the change added (from the parent's relay or the driver), or the float32
 * parameters fetched.
 *
 * <p>Concurrency: one task thread; only {@link UpdateRelay} serves {@code update} to other workers
 * from its own threads, after {@link UpdateRelay#holds} hands it over.
 */
final class WorkerReplica {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WorkerReplica.class);

    final int partition;
    private final ExchangeTransport exchange;
    private final MultiLayerConfiguration configuration;
    private final long numParams;
    /** Whether changes come down the relay tree ({@link UpdateRelay}; bf16 only). */
    private final boolean relaying;
    private final String stateDir;
    private final String run;
    private final Broadcast<SerializableHadoopConfig> hadoop;
    MultiLayerNetwork network;
    private INDArray base;
    INDArray wire;
    /** The bfloat16 arithmetic, with its own scratch row where it needs one (null: float32 transfer). */
    final ChangeMath math;
    /** The last change received, as this worker's relay serves it ({@code wire} itself without a relay). */
    private INDArray update;
    /** The version {@code base} holds (-1: none yet). */
    private long held = -1;
    UpdateRelay relay;
    /** The parent's relay (host:port), once known; "" once it failed or has none: the driver. */
    private String parent;
    /** Scores every minibatch the network fits (attached to it when it is built). */
    final TrainingPassScorer scorer = TrainingPassScorer.owned();

    WorkerReplica(int partition, ExchangeTransport exchange, MultiLayerConfiguration configuration, long numParams,
                  boolean relaying, String stateDir, String run, Broadcast<SerializableHadoopConfig> hadoop) {
        this.partition = partition;
        this.exchange = exchange;
        this.configuration = configuration;
        this.numParams = numParams;
        this.relaying = relaying;
        this.stateDir = stateDir;
        this.run = run;
        this.hadoop = hadoop;
        this.math = exchange.transfer() == Transfer.BF16 ? new ChangeMath() : null;
    }

    /** The parameters this replica's round started from (what its change is taken against). */
    INDArray base() {
        return base;
    }

    /**
     * Gets the parameters of {@code version} into the replica: the bfloat16 change (from the
     * parent's relay or the driver) added to the base and copied into the network when the replica
     * holds the version before; else the float32 parameters, into a new network in the task's
     * first round.
     */
    ExchangeTransport.Fetched install(long version) throws IOException {
        if (network != null && exchange.transfer() == Transfer.BF16 && held == version - 1) {
            String from = parent();
            ExchangeTransport.Fetched f;
            try {
                f = addUpdate(from, version);
            } catch (IOException e) {
                if (from == null) {
                    throw e;
                }
                log.warn("partition {}: the relay at {} failed ({}); fetching from the driver from now on", partition,
                        from, e.getMessage());
                parent = "";
                f = addUpdate(null, version);
            }
            held = version;
            return f;
        }
        if (base == null) {
            base = Nd4j.createUninitialized(DataType.FLOAT, 1, numParams);
            if (exchange.transfer() == Transfer.BF16) {
                wire = Nd4j.createUninitialized(DataType.BFLOAT16, 1, numParams);
                // A relay serves the received change while this worker encodes its own into wire.
                update = relay == null ? wire
                        : Nd4j.createUninitialized(DataType.BFLOAT16, 1, numParams);
            }
        }
        ExchangeTransport.Fetched f = exchange.fetchParameters(version, partition, base);
        long t0 = System.nanoTime();
        if (network == null) {
            MultiLayerNetwork net = new MultiLayerNetwork(configuration.clone());
            net.init(base.dup(), false);
            net.addListeners(scorer);
            try {
                new OptimizerStateFiles(stateDir, hadoop.getValue().getConfiguration()).published(run)
                        .ifPresent(s -> net.getUpdater().setStateViewArray(null, s, false));
            } catch (IOException e) {
                throw new UncheckedIOException("reading the optimizer state from " + stateDir, e);
            }
            network = net;
        } else {
            network.params().assign(base);
        }
        Nd4j.getExecutioner().commit();
        held = version;
        return f.plusCompute(System.nanoTime() - t0);
    }

    /**
     * Adds the change that made {@code version}, from the relay at {@code source} (null: the driver). Kept whole
     * first when it comes from a relay (a failed relay is retried at the driver) or this worker
     * relays it (passed on as soon as it has arrived); else added as it arrives.
     */
    private ExchangeTransport.Fetched addUpdate(String source, long version) throws IOException {
        Runnable received = source == null && relay == null ? null
                : () -> {
                    if (relay != null) {
                        relay.holds(version, update);   // pass it on while it is applied here
                    }
                };
        return exchange.addUpdate(source, version, partition, base, network.params(), update, math, received);
    }

    /** The relay this worker fetches changes from: its parent's in the tree; null: the driver. */
    private String parent() {
        if (!relaying || partition == 0) {
            return null;
        }
        if (parent == null) {
            try {
                String p = exchange.peer((partition - 1) / 2);
                parent = p == null ? "" : p;
            } catch (IOException e) {
                parent = "";
            }
        }
        return parent.isEmpty() ? null : parent;
    }
}
