"""Loads a DAG file with the Airflow stand-in and prints, as JSON, what its task raises when
spark-submit exits with each code given: "retry" (AirflowException: Airflow retries it), "fail"
(AirflowFailException: no retries) or "ok". Usage: exit_codes.py DAG_FILE CODE..."""
import json
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import airflow  # noqa: E402  (the stand-in)
from airflow.exceptions import AirflowException, AirflowFailException  # noqa: E402

dag_file = sys.argv[1]
runpy.run_path(dag_file)
(dag,) = airflow.DAGS
(task,) = dag.tasks
outcome = {}
for code in map(int, sys.argv[2:]):
    task.exit = code
    try:
        task.execute({})
        outcome[code] = "ok"
    except AirflowFailException:
        outcome[code] = "fail"
    except AirflowException:
        outcome[code] = "retry"
print(json.dumps({"retries": dag.kwargs["default_args"]["retries"], "outcome": outcome}))
