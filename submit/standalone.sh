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
: "${SPARK_MASTER_URL:?set SPARK_MASTER_URL=spark://host:7077}"
spark_submit \
  --master "$SPARK_MASTER_URL" \
  --deploy-mode "${DEPLOY_MODE:-client}" \
  --properties-file "$SPARK_DEFAULTS" \
  ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} \
  --class "$MAIN_CLASS" "$JOB_JAR" ${JOB_ARGS[@]+"${JOB_ARGS[@]}"}
