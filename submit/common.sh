# Shared by the scripts in submit/: where things are, and building the job jar when needed.
# Sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOB_JAR="$ROOT/target/sparkalex-0.1.0-SNAPSHOT-job.jar"
SPARK_DEFAULTS="${SPARK_DEFAULTS:-$ROOT/conf/spark-defaults.conf}"
MAIN_CLASS=io.sparkalex.cli.Main
# Spark's own list of Java 17 module flags (also in conf/spark-defaults.conf for cluster JVMs).
JAVA17_OPTS=$(sed -n 's/^spark.driver.extraJavaOptions[[:space:]]*//p' "$SPARK_DEFAULTS" | sed 's/ -Dorg.bytedeco.*//')

# Builds the shaded job jar when it is missing or older than the sources.
ensure_job_jar() {
  if [[ ! -f "$JOB_JAR" || -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$ROOT/conf/train.conf" -newer "$JOB_JAR" -print -quit)" ]]; then
    echo "building $JOB_JAR ..." >&2
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests package) >&2
  fi
}
