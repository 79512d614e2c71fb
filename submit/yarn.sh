#!/usr/bin/env bash
# Hadoop YARN. Needs a Spark installation with YARN support (SPARK_HOME) and HADOOP_CONF_DIR.
#
#   NUM_EXECUTORS=8 submit/yarn.sh [spark-submit options] COMMAND [flags]
#   NUM_EXECUTORS=8 submit/yarn.sh train --csv hdfs:///data/my_imagenet.csv --images hdfs:///data/my_imagenet --out hdfs:///runs/alexnet
#
# DEPLOY_MODE=cluster (default: the driver runs in the YARN application master) or client.
# YARN kills containers that exceed heap + spark.executor.memoryOverhead: the overhead in
# conf/spark-defaults.conf is sized for ND4J's off-heap memory (javacpp maxphysicalbytes).
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_job_jar
split_args "$@"
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation with YARN support}"
: "${HADOOP_CONF_DIR:?set HADOOP_CONF_DIR to the Hadoop configuration of the cluster}"
spark_submit \
  --master yarn \
  --deploy-mode "${DEPLOY_MODE:-cluster}" \
  --num-executors "${NUM_EXECUTORS:-2}" \
  --properties-file "$SPARK_DEFAULTS" \
  ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} \
  --class "$MAIN_CLASS" "$JOB_JAR" ${JOB_ARGS[@]+"${JOB_ARGS[@]}"}
