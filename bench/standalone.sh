# Sourced by bench/cluster and bench/plan-check: a Spark standalone cluster on 127.0.0.1 from the
# Maven-resolved Spark jars, one Master and WORKERS Workers of CORES_PER_WORKER cores each.
# start_cluster needs: tmp (a scratch folder), pids (an array the caller's cleanup kills),
# WORKERS, CORES_PER_WORKER, executor_memory, SECURITY (off | auth | encrypt). It sets
# SPARK_MASTER_URL and security_job (the spark-submit options of SECURITY).
# shellcheck shell=bash

start_cluster() {
  export SPARK_HOME="$tmp/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
  export SPARK_DIST_CLASSPATH="$(spark_classpath)"
  mkdir -p "$SPARK_HOME/jars" "$tmp/logs" "$tmp/events"

  free_port() {
    local p
    while :; do
      p=$((20000 + RANDOM % 20000))
      (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
  }
  wait_for() {  # FILE PATTERN SECONDS
    local end=$((SECONDS + $3))
    until grep -q "$2" "$1" 2>/dev/null; do
      ((SECONDS < end)) || { echo "timed out waiting for '$2' in $1:" >&2; tail -20 "$1" >&2; exit 1; }
      sleep 1
    done
  }
  spark_daemon() {  # LOG CLASS ARGS...
    local log="$1"; shift
    # shellcheck disable=SC2086
    java $JAVA17_OPTS -Xmx512m -cp "$SPARK_DIST_CLASSPATH" "$@" >"$log" 2>&1 &
    pids+=($!)
  }

  SECURITY="${SECURITY:-off}"
  security_daemon=()
  security_job=()
  if [[ "$SECURITY" != off ]]; then
    secret="bench-$RANDOM$RANDOM"
    printf 'spark.authenticate true\nspark.authenticate.secret %s\n' "$secret" >"$tmp/security.properties"
    security_job=(--conf spark.authenticate=true --conf "spark.authenticate.secret=$secret")
    if [[ "$SECURITY" == encrypt ]]; then
      echo "spark.network.crypto.enabled true" >>"$tmp/security.properties"
      security_job+=(--conf spark.network.crypto.enabled=true)
    fi
    security_daemon=(--properties-file "$tmp/security.properties")
  fi

  master_port="$(free_port)"
  spark_daemon "$tmp/logs/master.log" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$master_port" --webui-port "$(free_port)" ${security_daemon[@]+"${security_daemon[@]}"}
  wait_for "$tmp/logs/master.log" "I have been elected leader" 90
  for ((i = 0; i < WORKERS; i++)); do
    spark_daemon "$tmp/logs/worker-$i.log" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
      --cores "$CORES_PER_WORKER" --memory "$executor_memory" --webui-port "$(free_port)" --work-dir "$tmp/work-$i" \
      ${security_daemon[@]+"${security_daemon[@]}"} "spark://127.0.0.1:$master_port"
  done
  for ((i = 0; i < WORKERS; i++)); do
    wait_for "$tmp/logs/worker-$i.log" "Successfully registered with master" 90
  done
  echo "cluster up: master spark://127.0.0.1:$master_port, $WORKERS workers x $CORES_PER_WORKER cores, executor memory $executor_memory"
  export SPARK_MASTER_URL="spark://127.0.0.1:$master_port"
}
