#!/usr/bin/env bash
# Kubernetes. Needs a Spark installation (SPARK_HOME) and the job's image (submit/k8s/Dockerfile:
# Java 17, Spark 3.5.9, the job jar at JOB_JAR_IN_IMAGE and conf/ at /opt/sparkalex/conf). The
# spark-operator's forms of the same job are submit/k8s/sparkalex-{train,nightly}.yaml.
#
#   K8S_MASTER=k8s://https://api.example:6443 K8S_IMAGE=registry/sparkalex:0.1.0 NUM_EXECUTORS=8 \
#     submit/k8s.sh train --csv s3a://bucket/my_imagenet.csv --images s3a://bucket/my_imagenet --out s3a://bucket/runs/alexnet
#
# Pods are sized as heap + spark.executor.memoryOverhead (conf/spark-defaults.conf), which must
# cover ND4J's off-heap memory or the kubelet OOM-kills the executor.
set -euo pipefail
source "$(dirname "$0")/common.sh"
split_args "$@"
# In the image: the job's conf/ is expected at /opt/sparkalex/conf (see the README's Kubernetes notes).
LOG4J_IN_IMAGE="${LOG4J_IN_IMAGE:-file:/opt/sparkalex/conf/log4j2.properties}"
log4j_args "$LOG4J_IN_IMAGE" "$LOG4J_IN_IMAGE"
LOG4J_ARGS=("${LOG4J_ARGS[@]:2}")   # nothing to upload: the file is in the image
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation}"
: "${K8S_MASTER:?set K8S_MASTER=k8s://https://<api-server>:<port>}"
: "${K8S_IMAGE:?set K8S_IMAGE to an image holding Java 17, Spark 3.5.9 and the job jar}"
spark_submit \
  --master "$K8S_MASTER" \
  --deploy-mode cluster \
  --num-executors "${NUM_EXECUTORS:-2}" \
  "${JOB_CONF_ARGS[@]}" \
  "${LOG4J_ARGS[@]}" \
  --conf spark.kubernetes.container.image="$K8S_IMAGE" \
  --conf spark.kubernetes.executor.podTemplateFile="$ROOT/submit/k8s/executor-pod-template.yaml" \
  --conf spark.kubernetes.namespace="${K8S_NAMESPACE:-default}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="${K8S_SERVICE_ACCOUNT:-spark}" \
  ${SPARK_ARGS[@]+"${SPARK_ARGS[@]}"} \
  --class "$MAIN_CLASS" "local://${JOB_JAR_IN_IMAGE:-/opt/sparkalex/sparkalex-job.jar}" ${JOB_ARGS[@]+"${JOB_ARGS[@]}"}
