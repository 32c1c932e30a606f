"""Hourly: submit the hour's batch of new tickets to the running autotriage API (through the
Python client, with retries) and write their decisions next to the input."""

from __future__ import annotations

from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.x
    from airflow import DAG  # type: ignore[no-redef]
    from airflow.operators.bash import BashOperator  # type: ignore[no-redef]

# Airflow Variables (optional): autotriage_bin (the command, where the workers run),
# autotriage_server (the API), autotriage_inbox (folder of the drop files). Each DAG file is
# self-contained so it can be copied into any dags folder on its own.
BIN = "{{ var.value.get('autotriage_bin', 'autotriage') }}"
SERVER = "{{ var.value.get('autotriage_server', 'http://127.0.0.1:8000') }}"
INBOX = "{{ var.value.get('autotriage_inbox', '/data/autotriage/inbox') }}"
DEFAULT_ARGS = {"owner": "autotriage", "retries": 2, "retry_delay": timedelta(minutes=5)}

with DAG(
    dag_id="autotriage_hourly_classify",
    description="Batch-classify the hour's new tickets through the autotriage API",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["autotriage"],
) as dag:
    BashOperator(
        task_id="submit_batch",
        bash_command=(
            f"{BIN} submit {INBOX}/hourly/{{{{ ts_nodash }}}}.jsonl --server {SERVER} "
            f"--wait 600 --output {INBOX}/hourly/{{{{ ts_nodash }}}}.decisions.jsonl"
        ),
    )
