"""Daily: import the day's helpdesk export (CSV with labels) and the support mailbox archive.

`autotriage import` is resumable and idempotent by external_id, so Airflow's retries are safe;
a file with bad rows fails the task (strict) and names the lines to fix.
"""

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
    dag_id="autotriage_daily_import",
    description="Import yesterday's helpdesk export and mailbox into autotriage",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["autotriage"],
) as dag:
    import_tickets = BashOperator(
        task_id="import_tickets",
        bash_command=(
            f"{BIN} import {INBOX}/tickets-{{{{ ds }}}}.csv "
            "--columns external_id=id --labels queue,priority,type --actor airflow"
        ),
    )
    import_email = BashOperator(
        task_id="import_email",
        bash_command=f"{BIN} import-email --no-strict {INBOX}/mail-{{{{ ds }}}}.mbox",
    )
    export_labels = BashOperator(
        task_id="export_labels",
        bash_command=f"{BIN} export labels --output {INBOX}/exports/labels-{{{{ ds }}}}.parquet",
    )
    [import_tickets, import_email] >> export_labels
