"""Loads a DAG file with the Airflow stand-in and prints, as JSON, the spark-submit command its
SparkSubmitOperator runs, built in the order of Airflow's SparkSubmitHook._build_spark_submit_command.
Usage: build_command.py DAG_FILE LOGICAL_DATE MASTER"""
import json
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import airflow  # noqa: E402  (the stand-in)

dag_file, ds, master = sys.argv[1:4]
runpy.run_path(dag_file)
(dag,) = airflow.DAGS
(task,) = dag.tasks
k = task.kwargs


def render(value):
    return value.replace("{{ ds }}", ds)


cmd = ["spark-submit", "--master", master]
for key, value in k.get("conf", {}).items():
    cmd += ["--conf", "%s=%s" % (key, render(value))]
for flag, name in [("--properties-file", "properties_file"), ("--files", "files"), ("--jars", "jars"),
                   ("--name", "name"), ("--class", "java_class"), ("--deploy-mode", "deploy_mode")]:
    if k.get(name):
        cmd += [flag, render(k[name])]
cmd.append(render(k["application"]))
cmd += [render(a) for a in k.get("application_args", [])]
print(json.dumps({"dag_id": dag.dag_id, "schedule": dag.kwargs.get("schedule"), "command": cmd}))
