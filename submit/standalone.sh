#!/usr/bin/env bash
# A Spark standalone cluster.
#
#   SPARK_MASTER_URL=spark://master:7077 submit/standalone.sh [spark-submit options] COMMAND [flags]
#   SPARK_MASTER_URL=spark://master:7077 DEPLOY_MODE=cluster submit/standalone.sh \
#       --conf spark.cores.max=16 train --csv hdfs:///data/my_imagenet.csv --images hdfs:///data/my_imagenet --out hdfs:///runs/alexnet
#
# DEPLOY_MODE=client (default: the driver runs here) or cluster (a worker runs the driver; the
# job jar path must then be readable on every worker, e.g. on HDFS or a shared disk, and this
# script returns once the driver is submitted: follow it on the master's UI). One executor per
# core (spark.executor.cores=1 in conf/spark-defaults.conf): each trains one model replica.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_job_jar
split_args "$@"
# Executors (and a cluster-mode driver) read conf/log4j2.properties on their own node:
# NODE_LOG4J_CONF says where it is there (default: this checkout's path, as on a one-machine cluster).
NODE_LOG4J="${NODE_LOG4J_CONF:-file:$LOG4J_CONF}"
if [[ "${DEPLOY_MODE:-client}" == cluster ]]; then
  log4j_args "$NODE_LOG4J" "$NODE_LOG4J"
else
  log4j_args "file:$LOG4J_CONF" "$NODE_LOG4J"
fi
: "${SPARK_MASTER_URL:?set SPARK_MASTER_URL=spark://host:7077}"
spark_submit \
  --master "$SPARK_MASTER_URL" \
  --deploy-mode "${DEPLOY_MODE:-client}" \
  "${JOB_CONF_ARGS[@]}" \
  "${LOG4J_ARGS[@]}" \
  ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} \
  "${MAIN_ARGS[@]}" ${JOB_ARGS[@]+"${JOB_ARGS[@]}"}
