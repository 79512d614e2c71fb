"""A stand-in for Airflow, for the scheduler test only (Airflow is not installed in CI): records
the DAG and its SparkSubmitOperator's arguments so the test can build the spark-submit command."""
DAGS = []


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = []
        DAGS.append(self)

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None
        return False


DAG.current = None
