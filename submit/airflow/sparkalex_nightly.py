"""Nightly retraining of sparkalex with Airflow's SparkSubmitOperator.

The spark-submit command this DAG runs is the README's "Scheduled retraining" command, flag for
flag (a test builds both and compares them): the job's own spark-defaults.conf (as --conf, on top of
the cluster's), its log4j2
configuration for driver and executors, and the train flags below. Copy this file into the DAG
folder; set the Airflow Variable (or environment variable) SPARKALEX_HOME to the checkout that
holds the built job jar (default /opt/sparkalex), and point the connection `spark_default` at the
cluster (host spark://spark-master, port 7077).

Exit codes (see the README): 0 done (succeeded, stopped_early or not_promoted: read
run-status.json), 2 bad flags or config, 3 bad or drifted data, 4 training failed (a retry
resumes from the last epoch), 5 another run holds the output directory, 6 training diverged (a
non-finite loss or parameter; the last good checkpoint is kept). A retry of the same night reuses
the night's --out and resumes: it helps after 4 and 5, and cannot after 2, 3 or 6, which fail the
task at once (SparkalexSubmitOperator) so that someone looks. In cluster mode (the default when the
connection's master is YARN; SPARKALEX_DEPLOY_MODE below) spark-submit exits 1 for any failure, and
the task reads the code from run-status.json in --out.

Memory: in client mode (the default) the driver runs on the Airflow worker: an 8 GB heap
(spark.driver.memory) plus ND4J's off-heap memory (up to 10 GB, maxphysicalbytes in
conf/spark-defaults.conf), so budget about 18 GB there, and the executors must reach that worker on
spark.driver.port and the job's exchange_port. Cluster mode moves all of that into the cluster.
"""
import json
import os
import re
import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# The job's exit codes that a retry cannot fix: usage or configuration (2), data (3), divergence (6).
NO_RETRY_EXIT_CODES = {2, 3, 6}
# The codes the job itself exits with (README, exit codes); spark-submit's 1 in cluster mode is none of them.
JOB_EXIT_CODES = {2, 3, 4, 5, 6}


def exit_code(error):
    """spark-submit's exit code in SparkSubmitHook's error ("... Error code is: 6."), or None."""
    m = re.search(r"Error code is: (-?\d+)", str(error))
    return int(m.group(1)) if m else None


def run_status_exit_code(out):
    """The exit_code in --out's run-status.json, or None when it cannot be read. In cluster mode
    spark-submit's own exit code says little (YARN: 1 for any failure), and the job records its
    code there. hdfs:// and other remote URIs are read with `hdfs dfs -cat` (the Airflow worker
    needs a Hadoop client and HADOOP_CONF_DIR, as YARN submission does anyway)."""
    path = out.rstrip("/") + "/run-status.json"
    try:
        if path.startswith("/") or path.startswith("file:"):
            with open(path[len("file:"):] if path.startswith("file:") else path) as f:
                text = f.read()
        else:
            text = subprocess.run(["hdfs", "dfs", "-cat", path], capture_output=True, text=True, timeout=300,
                                  check=True).stdout
        return json.loads(text).get("exit_code")
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


class SparkalexSubmitOperator(SparkSubmitOperator):
    """SparkSubmitOperator that fails the task without retries when the job's exit code says a retry
    cannot help: spark-submit's code when it is the job's (client mode), else run-status.json's."""

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowException as e:
            code = exit_code(e)
            if code not in JOB_EXIT_CODES:
                args = list(getattr(self, "application_args", None) or getattr(self, "_application_args", None) or [])
                recorded = run_status_exit_code(args[args.index("--out") + 1]) if "--out" in args else None
                code = recorded if recorded is not None else code
            if code in NO_RETRY_EXIT_CODES:
                raise AirflowFailException("sparkalex exited with %d, which a retry cannot fix (README, exit codes): %s"
                                           % (code, e)) from e
            raise

try:
    from airflow.models import Variable

    SPARKALEX_HOME = Variable.get("SPARKALEX_HOME", default_var=os.environ.get("SPARKALEX_HOME", "/opt/sparkalex"))
except Exception:  # no metadata database (e.g. when the file is only parsed)
    SPARKALEX_HOME = os.environ.get("SPARKALEX_HOME", "/opt/sparkalex")

# Where the driver runs. On YARN (the connection's host is "yarn"): cluster, so the driver (an 8 GB
# heap plus ND4J's off-heap memory) and the exchange's port are in the cluster, and retries are
# decided from run-status.json (above), since spark-submit then exits 1 for any failure. Elsewhere:
# client, as the README's line, the driver on the Airflow worker. SPARKALEX_DEPLOY_MODE (Variable or
# environment) overrides either.
def default_deploy_mode(conn_id="spark_default"):
    try:
        from airflow.hooks.base import BaseHook

        host = BaseHook.get_connection(conn_id).host or ""
    except Exception:  # no metadata database, or no such connection
        host = ""
    return "cluster" if host.startswith("yarn") else "client"


try:
    DEPLOY_MODE = Variable.get("SPARKALEX_DEPLOY_MODE",
                               default_var=os.environ.get("SPARKALEX_DEPLOY_MODE") or default_deploy_mode())
except Exception:  # no metadata database
    DEPLOY_MODE = os.environ.get("SPARKALEX_DEPLOY_MODE") or default_deploy_mode()

CONF = os.path.join(SPARKALEX_HOME, "conf")
LOG4J = os.path.join(CONF, "log4j2.properties")


def properties(path):
    """A Spark properties file's "key value" lines as a dict ({} when the file is absent)."""
    found = {}
    if os.path.isfile(path):
        with open(path) as f:
            for line in f:
                parts = line.strip().split(None, 1)
                if parts and not parts[0].startswith("#"):
                    found[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    return found


# The job's settings go as --conf, as in submit/common.sh: a properties file would replace the
# cluster's own spark-defaults.conf (event logs, Kerberos, queues, credentials, security), which
# spark-submit still reads for every key the job does not set. Java options: the cluster's first.
JOB = properties(os.path.join(CONF, "spark-defaults.conf"))
CLUSTER = properties(os.path.join(os.environ.get("SPARK_CONF_DIR")
                                  or os.path.join(os.environ.get("SPARK_HOME", "/nonexistent"), "conf"),
                                  "spark-defaults.conf"))


def java_options(kind):
    """The cluster's spark.<kind>.extraJavaOptions, then the job's, as submit/common.sh joins them."""
    key = "spark.%s.extraJavaOptions" % kind
    return " ".join(v for v in (CLUSTER.get(key, ""), JOB.get(key, "")) if v)


# The train flags of the README's nightly command; {{ ds }} is the run's logical date.
TRAIN_ARGS = [
    "train",
    "--csv", "hdfs:///data/imagenet10/my_imagenet.csv",
    "--images", "hdfs:///data/imagenet10/my_imagenet",
    "--out", "hdfs:///runs/sparkalex/nightly/{{ ds }}",
    "--warm-start", "hdfs:///models/sparkalex/production/model.zip",
    "--warm-start-optional",
    "--promote-to", "hdfs:///models/sparkalex/production",
    "--set", "patience=3",
    "--set", "drift_action=stop",
    "--set", "metrics_push_url=http://pushgateway:9091",
]

with DAG(
    dag_id="sparkalex_nightly",
    description="Retrain AlexNet on the night's data; promote it when it beats production",
    schedule="30 1 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["sparkalex"],
) as dag:
    SparkalexSubmitOperator(
        task_id="train",
        conn_id="spark_default",
        deploy_mode=DEPLOY_MODE,
        name="sparkalex-nightly",
        java_class="io.sparkalex.cli.Main",
        application=os.path.join(SPARKALEX_HOME, "target", "sparkalex-0.1.0-SNAPSHOT-job.jar"),
        files=LOG4J,
        conf=dict({k: v for k, v in JOB.items() if not k.endswith(".extraJavaOptions")}, **{
            "spark.driver.extraJavaOptions": java_options("driver") + " -Dlog4j2.configurationFile=file:" + LOG4J,
            "spark.executor.extraJavaOptions": java_options("executor") + " -Dlog4j2.configurationFile=file:" + LOG4J,
        }),
        application_args=TRAIN_ARGS,
        execution_timeout=timedelta(hours=20),
    )
