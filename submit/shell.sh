#!/usr/bin/env bash
# spark-shell with the job jar on its classpath (--jars) and the job's settings, for the Spark ML
# stages (README, "In Spark ML Pipelines"). Needs a Spark installation: SPARK_HOME (spark-shell's
# REPL is not among the Maven-resolved jars the other scripts can run from).
#
#   SPARK_HOME=/opt/spark submit/shell.sh [spark-shell options, e.g. --master spark://master:7077]
#
# Without --master it runs in local mode on every core of this machine.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_job_jar
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation (Scala 2.12); spark-shell runs from it}"
log4j_args "file:$LOG4J_CONF" "file:$LOG4J_CONF"
SHELL_ARGS=(--master "local[*]" "${JOB_CONF_ARGS[@]}" "${LOG4J_ARGS[@]}" --jars "$JOB_JAR" "$@")
if [[ "${SPARKALEX_DRY_RUN:-0}" == 1 ]]; then   # prints spark-shell's arguments, runs nothing
  printf '%s\n' "${SHELL_ARGS[@]}"
  exit 0
fi
exec "$SPARK_HOME/bin/spark-shell" "${SHELL_ARGS[@]}"
