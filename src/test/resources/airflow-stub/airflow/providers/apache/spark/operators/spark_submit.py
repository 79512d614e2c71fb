from airflow import DAG
from airflow.exceptions import AirflowException


class SparkSubmitOperator:
    def __init__(self, task_id, **kwargs):
        self.task_id = task_id
        self.kwargs = kwargs
        self.application_args = kwargs.get("application_args", [])
        self.exit = 0
        DAG.current.tasks.append(self)

    def execute(self, context):
        """As SparkSubmitHook.submit fails: spark-submit's exit code in the message."""
        if self.exit:
            raise AirflowException("Cannot execute: spark-submit .... Error code is: %d." % self.exit)
