#!/usr/bin/env bash
# Runs the job in Spark local mode with no Spark installation: Spark's SparkSubmit is started
# from the Maven-resolved Spark and Hadoop jars, and the driver JVM is the only JVM.
#
#   submit/local.sh COMMAND [flags]      e.g. submit/local.sh train --csv ... --images ... --out ...
#
# Environment: LOCAL_CORES (default: all cores), DRIVER_MEMORY (default 6g), ND4J_OFFHEAP
# (javacpp maxbytes, default 8G). Other Spark settings: conf/spark-defaults.conf.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_job_jar

SPARK_CP_FILE="$ROOT/target/spark.classpath"
if [[ ! -f "$SPARK_CP_FILE" || "$ROOT/pom.xml" -nt "$SPARK_CP_FILE" ]]; then
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=provided \
      -Dmdep.outputFile="$SPARK_CP_FILE") >&2
fi

export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# shellcheck disable=SC2086
exec java $JAVA17_OPTS \
  -Xmx"${DRIVER_MEMORY:-6g}" \
  -Dorg.bytedeco.javacpp.maxbytes="${ND4J_OFFHEAP:-8G}" \
  -Dorg.bytedeco.javacpp.maxphysicalbytes="${ND4J_OFFHEAP_PHYSICAL:-14G}" \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
  -cp "$(cat "$SPARK_CP_FILE")" \
  org.apache.spark.deploy.SparkSubmit \
  --master "local[${LOCAL_CORES:-*}]" \
  --properties-file "$SPARK_DEFAULTS" \
  --conf spark.ui.showConsoleProgress=false \
  --class "$MAIN_CLASS" \
  "$JOB_JAR" "$@"
