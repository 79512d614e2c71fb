package io.sparkalex.averaging;

/**
 * Where the time of one averaging round went, along its critical path (the worker whose result
 * came last), in seconds. The parts follow each other in time and add up to {@code roundSeconds}
 * (what is left over is {@code unattributedSeconds}); everything but {@code fitSeconds} is the
 * round's fixed cost. Resident averaging (the default, {@link ResidentAveragingMaster}) runs no
 * Spark job per round: its prepare, broadcast, task, serialisation and aggregate parts are 0, and
 * a round starts when its parameters become current on the driver. DL4J's own master
 * ({@link RoundClock}) runs one per round, and its worker's task is one part (worker other).
 *
 * @param prepareSeconds          driver: DL4J's preparation of the round's minibatches (its repartitioning,
 *                                which runs a Spark job to count them) before the broadcast
 * @param broadcastSeconds        driver: the round's Spark broadcast (DL4J's master: parameters and state)
 * @param launchSeconds           resident: from the round's start until the critical worker asked for its
 *                                parameters (the epoch's first round: the job launched and the task started);
 *                                DL4J's master: from the broadcast to the critical task's start
 * @param taskDeserializeSeconds  executor: the task and its worker deserialised (DL4J's master)
 * @param broadcastFetchSeconds   executor: the parameters (or their change) moved from the driver, from the
 *                                reply's first byte (relayed: with the parents' transfers before it; added as it
 *                                arrives: without the adds)
 * @param copySeconds             executor: the change decoded, added to the base and copied into the network
 *                                (added chunk by chunk as it arrives: the adds' own time, not the transfer's);
 *                                in a worker's first round, its network built
 * @param fitSeconds              executor: fitting the round's minibatches (the useful work)
 * @param workerOtherSeconds      executor: the rest of the worker's round (waiting for a minibatch, the
 *                                schedule); DL4J's master: the whole task run
 * @param uploadSeconds           executor: the result encoded and sent to the driver's exchange, until the driver
 *                                had added it to the round's sum (0 when results are Spark task results)
 * @param resultSerializeSeconds  executor: Spark serialising the task result (DL4J's master: the parameters)
 * @param aggregateSeconds        DL4J's master: from the critical task's end to the job's end: results stored,
 *                                fetched by the driver, deserialised ({@code driverDeserializeSeconds} of it,
 *                                summed over the workers' results) and summed
 * @param applySeconds            driver: the average set as the network's parameters (bf16: rounded to the
 *                                next update and published; the driver adds it to its own parameters while the
 *                                workers fetch it, off the critical path)
 * @param unattributedSeconds     what the measured parts leave of the round (derived by {@link Builder#build})
 *
 * <p>Built by name ({@link #of}), one part at a time; a part not set is 0.
 */
public record RoundBreakdown(int epoch, int round, int workers, int minibatches, double roundSeconds,
                             double prepareSeconds, double broadcastSeconds, double launchSeconds, double taskDeserializeSeconds,
                             double broadcastFetchSeconds, double copySeconds, double fitSeconds,
                             double workerOtherSeconds, double uploadSeconds, double resultSerializeSeconds, double aggregateSeconds,
                             double driverDeserializeSeconds, double applySeconds, double unattributedSeconds,
                             long broadcastBytes, long resultBytes) {

    /** A builder for round {@code round} of {@code epoch}, which took {@code roundSeconds} in all. */
    public static Builder of(int epoch, int round, double roundSeconds) {
        return new Builder(epoch, round, roundSeconds);
    }

    /** Sets the parts by name; {@link #build} derives the unattributed rest. */
    public static final class Builder {
        private final int epoch;
        private final int round;
        private final double roundSeconds;
        private int workers;
        private int minibatches;
        private double prepare;
        private double broadcast;
        private double launch;
        private double taskDeserialize;
        private double fetch;
        private double copy;
        private double fit;
        private double workerOther;
        private double upload;
        private double resultSerialize;
        private double aggregate;
        private double driverDeserialize;
        private double apply;
        private long broadcastBytes;
        private long resultBytes;

        private Builder(int epoch, int round, double roundSeconds) {
            this.epoch = epoch;
            this.round = round;
            this.roundSeconds = roundSeconds;
        }

        /** The workers whose results the round averaged, and the minibatches they fitted (0: not known). */
        public Builder workers(int workers, int minibatches) {
            this.workers = workers;
            this.minibatches = minibatches;
            return this;
        }

        /** The driver's parts before the workers: DL4J's preparation, the broadcast, the critical task's launch. */
        public Builder driverBefore(double prepare, double broadcast, double launch) {
            this.prepare = prepare;
            this.broadcast = broadcast;
            this.launch = launch;
            return this;
        }

        /** The critical worker's parts: deserialising its task, fetching and copying the parameters, fitting, the rest. */
        public Builder worker(double taskDeserialize, double fetch, double copy, double fit, double other) {
            this.taskDeserialize = taskDeserialize;
            this.fetch = fetch;
            this.copy = copy;
            this.fit = fit;
            this.workerOther = other;
            return this;
        }

        /** How the critical result came back: sent to the exchange, or serialised, stored and aggregated by Spark. */
        public Builder result(double upload, double serialize, double aggregate, double driverDeserialize) {
            this.upload = upload;
            this.resultSerialize = serialize;
            this.aggregate = aggregate;
            this.driverDeserialize = driverDeserialize;
            return this;
        }

        public Builder apply(double seconds) {
            this.apply = seconds;
            return this;
        }

        public Builder bytes(long broadcast, long result) {
            this.broadcastBytes = broadcast;
            this.resultBytes = result;
            return this;
        }

        /** The breakdown, with what the parts leave of the round as its unattributed part. */
        public RoundBreakdown build() {
            double attributed = prepare + broadcast + launch + taskDeserialize + fetch + copy + fit + workerOther
                    + upload + resultSerialize + aggregate + apply;
            return new RoundBreakdown(epoch, round, workers, minibatches, roundSeconds, prepare, broadcast, launch,
                    taskDeserialize, fetch, copy, fit, workerOther, upload, resultSerialize, aggregate,
                    driverDeserialize, apply, roundSeconds - attributed, broadcastBytes, resultBytes);
        }
    }

    /** The round's time beyond fitting: what averaging costs. */
    public double fixedSeconds() {
        return roundSeconds - fitSeconds;
    }

    /** The parts in order, without the derived ones, which must add up to {@code roundSeconds}. */
    public double[] parts() {
        return new double[] {prepareSeconds, broadcastSeconds, launchSeconds, taskDeserializeSeconds, broadcastFetchSeconds,
                copySeconds, fitSeconds, workerOtherSeconds, uploadSeconds, resultSerializeSeconds, aggregateSeconds, applySeconds,
                unattributedSeconds};
    }

    /** One line on the rounds of an epoch: how many, their median time and median fixed cost by part. */
    public static String summary(java.util.List<RoundBreakdown> rounds) {
        if (rounds.isEmpty()) {
            return "no rounds timed";
        }
        java.util.function.Function<java.util.function.ToDoubleFunction<RoundBreakdown>, Double> median = f -> {
            double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        };
        return String.format(java.util.Locale.ROOT, "%d rounds, median %.2f s, of which fitting %.2f s and fixed "
                        + "%.2f s (prepare %.2f, broadcast %.2f, launch %.2f, task %.2f, parameters fetched %.2f, copied %.2f, "
                        + "worker other %.2f, result sent %.2f, result serialised %.2f, aggregated %.2f [driver deserialising %.2f], "
                        + "applied %.2f, unattributed %.2f)",
                rounds.size(), median.apply(RoundBreakdown::roundSeconds), median.apply(RoundBreakdown::fitSeconds),
                median.apply(RoundBreakdown::fixedSeconds), median.apply(RoundBreakdown::prepareSeconds),
                median.apply(RoundBreakdown::broadcastSeconds),
                median.apply(RoundBreakdown::launchSeconds), median.apply(RoundBreakdown::taskDeserializeSeconds),
                median.apply(RoundBreakdown::broadcastFetchSeconds), median.apply(RoundBreakdown::copySeconds),
                median.apply(RoundBreakdown::workerOtherSeconds), median.apply(RoundBreakdown::uploadSeconds),
                median.apply(RoundBreakdown::resultSerializeSeconds),
                median.apply(RoundBreakdown::aggregateSeconds), median.apply(RoundBreakdown::driverDeserializeSeconds),
                median.apply(RoundBreakdown::applySeconds), median.apply(RoundBreakdown::unattributedSeconds));
    }
}
