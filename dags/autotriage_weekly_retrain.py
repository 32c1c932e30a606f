"""Weekly: retrain a challenger on the verified labels and promote it only if it beats the
champion. `autotriage retrain` belongs to the retraining issue (being built alongside this
one); this DAG calls it as its contract is defined there. Labels are exported first so every
retrain leaves a copy of the data it saw."""

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
INBOX = "{{ var.value.get('autotriage_inbox', '/data/autotriage/inbox') }}"
DEFAULT_ARGS = {"owner": "autotriage", "retries": 2, "retry_delay": timedelta(minutes=5)}

with DAG(
    dag_id="autotriage_weekly_retrain",
    description="Export labels, retrain a challenger and promote it if it is better",
    schedule="@weekly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 0},
    tags=["autotriage"],
) as dag:
    snapshot = BashOperator(
        task_id="export_labels",
        bash_command=f"{BIN} export labels --output {INBOX}/exports/retrain-{{{{ ds }}}}.parquet",
    )
    retrain = BashOperator(
        task_id="retrain",
        bash_command=f"{BIN} retrain",
        execution_timeout=timedelta(hours=2),
    )
    snapshot >> retrain
