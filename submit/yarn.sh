#!/usr/bin/env bash
# Hadoop YARN. Needs HADOOP_CONF_DIR (the cluster's Hadoop configuration) and, for a real
# cluster, a Spark installation with YARN support (SPARK_HOME). Without SPARK_HOME it submits
# with the Maven-resolved Spark jars and tells YARN to use them from the same paths on every node
# (spark.yarn.jars=local:...): right for a cluster on this machine (the integration test's
# MiniYARNCluster), not for a real one.
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
# --files puts conf/log4j2.properties into every container's directory before its JVM starts.
if [[ "${DEPLOY_MODE:-cluster}" == cluster ]]; then
  log4j_args log4j2.properties log4j2.properties
else
  log4j_args "file:$LOG4J_CONF" log4j2.properties
fi
: "${HADOOP_CONF_DIR:?set HADOOP_CONF_DIR to the Hadoop configuration of the cluster}"
YARN_JARS=()
if [[ -z "${SPARK_HOME:-}" ]]; then
  YARN_JARS=(--conf "spark.yarn.jars=$(spark_classpath | tr ':' '\n' | sed 's|^|local:|' | paste -sd, -)")
fi
spark_submit \
  --master yarn \
  --deploy-mode "${DEPLOY_MODE:-cluster}" \
  --num-executors "${NUM_EXECUTORS:-2}" \
  "${JOB_CONF_ARGS[@]}" \
  "${LOG4J_ARGS[@]}" \
  ${YARN_JARS[@]+"${YARN_JARS[@]}"} \
  ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} \
  "${MAIN_ARGS[@]}" ${JOB_ARGS[@]+"${JOB_ARGS[@]}"}
