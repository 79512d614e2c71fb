# Shared by the scripts in submit/: where things are, the job jar, and how spark-submit is run.
# Sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# GPU=1 runs the CUDA build (mvn -Pgpu package), which has its own name: never one for the other.
if [[ "${GPU:-0}" == 1 ]]; then
  JOB_JAR="${SPARKALEX_JOB_JAR:-$ROOT/target/sparkalex-0.1.0-SNAPSHOT-gpu-job.jar}"
  BUILD_PROFILE=(-Pgpu)
else
  JOB_JAR="${SPARKALEX_JOB_JAR:-$ROOT/target/sparkalex-0.1.0-SNAPSHOT-job.jar}"
  BUILD_PROFILE=()
fi
SPARK_DEFAULTS="${SPARK_DEFAULTS:-$ROOT/conf/spark-defaults.conf}"
MAIN_CLASS=io.sparkalex.cli.Main
# Spark's Java 17 module flags, taken from conf/spark-defaults.conf (one place for them).
JAVA17_OPTS=$(sed -n 's/^spark.driver.extraJavaOptions[[:space:]]*//p' "$SPARK_DEFAULTS" | sed 's/ -Dorg.bytedeco.*//')

# Builds the shaded job jar when it is missing or older than the sources (unless
# SPARKALEX_JOB_JAR names a jar to use as it is).
ensure_job_jar() {
  [[ -n "${SPARKALEX_JOB_JAR:-}" ]] && return 0
  if [[ ! -f "$JOB_JAR" || -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$ROOT/conf/train.conf" -newer "$JOB_JAR" -print -quit)" ]]; then
    echo "building $JOB_JAR ..." >&2
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests ${BUILD_PROFILE[@]+"${BUILD_PROFILE[@]}"} package) >&2
  fi
}

# The Spark + Hadoop jars resolved by Maven (the pom writes target/spark.classpath at build).
spark_classpath() {
  local file="$ROOT/target/spark.classpath"
  if [[ ! -f "$file" || "$ROOT/pom.xml" -nt "$file" ]]; then
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never generate-resources) >&2
  fi
  cat "$file"
}

# Splits "$@" into spark-submit options (everything before the job's command) and the job's
# own command and flags: SPARK_ARGS and JOB_ARGS; MAIN_ARGS is what spark-submit runs.
# SPARKALEX_APP_CLASS (and SPARKALEX_APP_JAR) submit your own application instead, e.g. one that
# uses the Spark ML stages (README, "In Spark ML Pipelines"): the job jar goes to --jars, and the
# application's arguments follow a "--" (spark-submit options before it).
split_args() {
  SPARK_ARGS=()
  if [[ -n "${SPARKALEX_APP_CLASS:-}" ]]; then
    while (($#)) && [[ "$1" != -- ]]; do SPARK_ARGS+=("$1"); shift; done
    (($#)) && shift
    JOB_ARGS=("$@")
    MAIN_ARGS=(--jars "$JOB_JAR" --class "$SPARKALEX_APP_CLASS" "${SPARKALEX_APP_JAR:?set SPARKALEX_APP_JAR to the jar of SPARKALEX_APP_CLASS}")
  else
    while (($#)); do
      case "$1" in
        train|evaluate|predict|summary|sample-data|calibrate|plan|help|-h|--help|-V|--version) break ;;
        *) SPARK_ARGS+=("$1"); shift ;;
      esac
    done
    JOB_ARGS=("$@")
    MAIN_ARGS=(--class "$MAIN_CLASS" "$JOB_JAR")
  fi
  # GPU=1: add the GPU resource settings of conf/spark-gpu.conf (before the user's options).
  if [[ "${GPU:-0}" == 1 ]]; then
    local gpu=() key value
    while read -r key value; do
      [[ -z "$key" || "$key" == \#* ]] && continue
      gpu+=(--conf "$key=${value//'${SPARK_HOME}'/${SPARK_HOME:-/opt/spark}}")
    done < "$ROOT/conf/spark-gpu.conf"
    SPARK_ARGS=("${gpu[@]}" ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"})
  fi
}

# The job's settings (conf/spark-defaults.conf) as --conf pairs: JOB_CONF_ARGS, given before the
# user's options (which win). Not as --properties-file: in Spark 3.5 a properties file replaces the
# cluster's own spark-defaults.conf ($SPARK_CONF_DIR, else $SPARK_HOME/conf), and with it the
# cluster's event logs, Kerberos, queues, credentials and security settings. Given as --conf,
# spark-submit still reads the cluster's file for every key the job does not set. The Java options
# are merged with the cluster's in log4j_args.
CLUSTER_DEFAULTS="${SPARK_CONF_DIR:-${SPARK_HOME:-/nonexistent}/conf}/spark-defaults.conf"
job_conf_args() {
  JOB_CONF_ARGS=()
  local key value
  while read -r key value; do
    [[ -z "$key" || "$key" == \#* || "$key" == *.extraJavaOptions ]] && continue
    JOB_CONF_ARGS+=(--conf "$key=$value")
  done < "$SPARK_DEFAULTS"
}
job_conf_args

# The value of key $1 in the properties file $2 (empty when absent).
property() {
  [[ -f "$2" ]] && sed -n "s/^$1[[:space:]=:]*//p" "$2" | tail -1
  return 0
}

# conf/log4j2.properties for the driver and the executors on every path (LOG4J_ARGS, given to
# spark-submit before the user's options, which win). Java options of the properties file are kept:
# a --conf of extraJavaOptions replaces the file's value, so it is repeated here.
#   $1: where the driver JVM finds the file; $2: where the executor JVMs find it.
# log4j reads its configuration when the JVM starts, before Spark fetches --files, so executors of a
# standalone cluster need the file at the same path on every node (Spark's documented way); on YARN
# --files are localised into the container's directory before it starts, so the bare name works.
log4j_args() {
  local driver_opts executor_opts
  # The cluster's Java options first (e.g. Kerberos, agents), then the job's Java 17 flags.
  driver_opts="$(property spark.driver.extraJavaOptions "$CLUSTER_DEFAULTS") $(property spark.driver.extraJavaOptions "$SPARK_DEFAULTS")"
  executor_opts="$(property spark.executor.extraJavaOptions "$CLUSTER_DEFAULTS") $(property spark.executor.extraJavaOptions "$SPARK_DEFAULTS")"
  driver_opts="${driver_opts# }"
  executor_opts="${executor_opts# }"
  LOG4J_ARGS=(--files "$LOG4J_CONF"
    --conf "spark.driver.extraJavaOptions=$driver_opts -Dlog4j2.configurationFile=$1"
    --conf "spark.executor.extraJavaOptions=$executor_opts -Dlog4j2.configurationFile=$2")
}
LOG4J_CONF="${LOG4J_CONF:-$ROOT/conf/log4j2.properties}"

# Runs spark-submit: the installation's ($SPARK_HOME/bin/spark-submit) when there is one,
# otherwise Spark's SparkSubmit class from the Maven-resolved jars in this JVM, which then is
# also the driver in client mode (DRIVER_MEMORY sets its heap).
# SPARKALEX_DRY_RUN=1 prints spark-submit's arguments, one per line, and runs nothing (the
# scheduler test compares them with what the Airflow DAG builds).
spark_submit() {
  if [[ "${SPARKALEX_DRY_RUN:-0}" == 1 ]]; then
    printf '%s\n' "$@"
    exit 0
  fi
  if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
    exec "$SPARK_HOME/bin/spark-submit" "$@"
  fi
  # shellcheck disable=SC2086
  exec java $JAVA17_OPTS -Xmx"${DRIVER_MEMORY:-8g}" \
    -Dorg.bytedeco.javacpp.maxbytes="${ND4J_OFFHEAP:-8G}" \
    -Dorg.bytedeco.javacpp.maxphysicalbytes="${ND4J_OFFHEAP_PHYSICAL:-14G}" \
    -Dlog4j2.configurationFile="$LOG4J_CONF" \
    -cp "${HADOOP_CONF_DIR:+$HADOOP_CONF_DIR:}$(spark_classpath)" org.apache.spark.deploy.SparkSubmit "$@"
}
