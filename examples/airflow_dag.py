"""Example Airflow DAG: the monthly report for many brands, one task per (brand, notebook).

For agencies running socialnb for many brands on an existing Airflow. Each (brand, notebook) is
an independent ``PapermillOperator`` task with exactly the parameters ``socialnb report`` passes,
so a failing notebook only fails its own task and Airflow retries just that one. A last task per
brand (``socialnb.report.render_executed``) renders the executed notebooks into the same
self-contained pages, ``summary.json`` and index as ``socialnb report``, atomically, failed
notebooks included.

Copy this file into your DAGs folder and set ``SOCIALNB_HOME`` (the project checkout holding
``notebooks/`` and ``data/``). Requires ``apache-airflow`` and
``apache-airflow-providers-papermill``; socialnb itself does not depend on Airflow.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.papermill.operators.papermill import PapermillOperator

SOCIALNB_HOME = os.environ.get("SOCIALNB_HOME", "/opt/socialnb")
WORKSPACE = f"{SOCIALNB_HOME}/data"
EXECUTED = f"{SOCIALNB_HOME}/executed"  # papermill's output notebooks, per brand and month
REPORTS = f"{SOCIALNB_HOME}/reports"

#: Brands of the agency (folders of the workspace).
BRANDS = ["fernway"]

#: The report notebooks (``notebooks/<name>.ipynb`` marked {"socialnb": {"report": true}}).
REPORT_NOTEBOOKS = ["overview", "retro", "experiments", "ideation"]

#: Notebooks that write files next to their page (they declare a ``report_dir`` parameter).
WRITES_FILES = ["ideation"]

#: Parameters beyond workspace / brand / month, per notebook (validated against the notebook).
EXTRA_PARAMETERS: dict[str, dict[str, object]] = {}

# The month that just ended, as Airflow sees the run: a monthly DAG's data interval start.
MONTH = "{{ data_interval_start.strftime('%Y-%m') }}"


def _render(brand: str, month: str) -> str:
    from socialnb.report import render_executed

    result = render_executed(
        f"{EXECUTED}/{brand}/{month}",
        brand=brand,
        month=month,
        workspace=WORKSPACE,
        reports_dir=REPORTS,
    )
    if not result.ok:
        raise RuntimeError("; ".join(r.describe_failure() for r in result.failures))
    return str(result.index_paths[brand])


with DAG(
    dag_id="socialnb_monthly_report",
    description="socialnb monthly report: every brand x every report notebook",
    schedule="0 6 2 * *",  # 06:00 on the 2nd: the exports of the month are in
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_tasks=8,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
) as dag:
    ingest = BashOperator(
        task_id="ingest",
        bash_command=f"cd {SOCIALNB_HOME} && socialnb ingest",
    )
    for brand in BRANDS:
        render = PythonOperator(
            task_id=f"{brand}__render",
            python_callable=_render,
            op_kwargs={"brand": brand, "month": MONTH},
            trigger_rule="all_done",  # render failed notebooks' pages too
        )
        for notebook in REPORT_NOTEBOOKS:
            run = PapermillOperator(
                task_id=f"{brand}__{notebook}",
                input_nb=f"{SOCIALNB_HOME}/notebooks/{notebook}.ipynb",
                output_nb=f"{EXECUTED}/{brand}/{MONTH}/{notebook}.ipynb",
                kernel_name="python3",
                parameters={
                    "workspace": WORKSPACE,
                    "brand": brand,
                    "month": MONTH,
                    **(
                        {"report_dir": f"{EXECUTED}/{brand}/{MONTH}"}
                        if notebook in WRITES_FILES
                        else {}
                    ),
                    **EXTRA_PARAMETERS.get(notebook, {}),
                },
            )
            ingest >> run >> render
