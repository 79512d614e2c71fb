"""Loads a DAG file with the Airflow stand-in and prints, as JSON, what its task raises when
spark-submit exits with each code given: "retry" (AirflowException: Airflow retries it), "fail"
(AirflowFailException: no retries) or "ok". Usage: exit_codes.py DAG_FILE CODE[:RECORDED]...
RECORDED: the exit_code run-status.json in --out holds ("none": no readable file), as in cluster
mode, where spark-submit exits 1 whatever the job's code."""
import json
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import airflow  # noqa: E402  (the stand-in)
from airflow.exceptions import AirflowException, AirflowFailException  # noqa: E402

dag_file = sys.argv[1]
dag_globals = runpy.run_path(dag_file)
(dag,) = airflow.DAGS
(task,) = dag.tasks
outcome = {}
for given in sys.argv[2:]:
    code, _, recorded = given.partition(":")
    task.exit = int(code)
    status = None if recorded in ("", "none") else int(recorded)
    # The operator's function, fed what this case's run-status.json holds; it must be asked for --out's.
    asked = []
    dag_globals["SparkalexSubmitOperator"].execute.__globals__["run_status_exit_code"] = \
        lambda out, status=status: asked.append(out) or status
    try:
        task.execute({})
        outcome[given] = "ok"
    except AirflowFailException:
        outcome[given] = "fail"
    except AirflowException:
        outcome[given] = "retry"
    if asked and not asked[0].startswith("hdfs:///runs/sparkalex/nightly/"):
        raise SystemExit("run-status.json was read from " + asked[0] + ", not the run's --out")
print(json.dumps({"retries": dag.kwargs["default_args"]["retries"], "outcome": outcome}))
