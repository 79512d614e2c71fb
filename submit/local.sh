#!/usr/bin/env bash
# Spark local mode, no Spark installation needed: the driver JVM runs the workers as threads.
#
#   submit/local.sh [spark-submit options] COMMAND [flags]
#   submit/local.sh train --csv data/sample/my_imagenet.csv --images data/sample/my_imagenet --out runs/sample
#
# LOCAL_CORES: worker threads (default: all cores). DRIVER_MEMORY (default 8g) and ND4J_OFFHEAP
# (javacpp maxbytes, default 8G) size the one JVM. Spark settings: conf/spark-defaults.conf.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_job_jar
split_args "$@"
log4j_args "file:$LOG4J_CONF" "file:$LOG4J_CONF"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
spark_submit \
  --master "local[${LOCAL_CORES:-*}]" \
  "${JOB_CONF_ARGS[@]}" \
  "${LOG4J_ARGS[@]}" \
  --conf spark.ui.showConsoleProgress=false \
  ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} \
  "${MAIN_ARGS[@]}" ${JOB_ARGS[@]+"${JOB_ARGS[@]}"}
