import os


class _Connection:
    def __init__(self, host):
        self.host = host


class BaseHook:
    """The stand-in's connections: every one has the host in STUB_SPARK_CONN_HOST (default spark://spark-master)."""

    @staticmethod
    def get_connection(conn_id):
        return _Connection(os.environ.get("STUB_SPARK_CONN_HOST", "spark://spark-master"))
