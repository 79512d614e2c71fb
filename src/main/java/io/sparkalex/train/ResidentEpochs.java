package io.sparkalex.train;

import io.sparkalex.averaging.ResidentAveragingMaster;
import io.sparkalex.averaging.RoundReportingMaster;
import io.sparkalex.averaging.Transfer;
import io.sparkalex.config.JobConfig;
import io.sparkalex.data.CacheBatchLoader;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Parameter averaging with resident workers (the default): one Spark task per worker per epoch,
 * the rounds and parameters through the driver's exchange ({@link ResidentAveragingMaster}).
 * Holds the exchange and the workers' networks for the run: {@link #close} releases them.
 */
final class ResidentEpochs extends AveragedEpochs {
    private final ResidentAveragingMaster master;

    ResidentEpochs(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network,
                   CacheBatchLoader loader, Path stateDir, String runId, RoundReportingMaster.RoundListener rounds) {
        this(sc, config, workers, network, loader, new ResidentAveragingMaster(settings(config, workers),
                stateDir.toString(), runId, switch (config.parameterTransfer) {
                    case BF16 -> Transfer.BF16;
                    case FLOAT32 -> Transfer.FLOAT32;
                }, config.exchangePort, config.exchangeRelay.enabled(workers), config.relayPorts), rounds);
    }

    private ResidentEpochs(JavaSparkContext sc, JobConfig config, int workers, MultiLayerNetwork network,
                           CacheBatchLoader loader, ResidentAveragingMaster master,
                           RoundReportingMaster.RoundListener rounds) {
        super(sc, config, workers, network, loader, master, rounds);
        this.master = master;
    }

    @Override
    public void close() {
        master.close();
    }
}
