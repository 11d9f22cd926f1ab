"""Airflow 3 DAG: socialnb's monthly report for many brands, one task per (brand, notebook).

For agencies running socialnb for many brands on an Airflow 3 deployment. The DAG::

    month -> ingest -> <brand>.<notebook> (a PapermillOperator each) -> <brand>.render -> index

- ``month``: the month being reported, the calendar month that ended before the run's logical
  date (a run on 2026-11-02, scheduled or manual, reports 2026-10), or the ``month`` param when
  the run is triggered with one; it also empties ``executed/<brand>/<month>/`` of an earlier run.
- ``ingest``: new raw exports into the warehouse, once, as ``socialnb report`` does.
- ``<brand>.<notebook>``: papermill with exactly the parameters ``socialnb report`` passes
  (``socialnb.orchestrate.report_tasks``); a failing notebook fails, and is retried, alone.
- ``<brand>.render``: runs when its notebooks are done, failed or not, and writes
  ``reports/<brand>/<month>/`` as ``socialnb report`` does (pages, summary.json, index), failed
  notebooks included with the failing cell and error; ``index``: the top ``reports/index.html``.

Deployment: every worker sees the same ``SOCIALNB_HOME`` (shared storage) and runs one Python
environment that has ``socialnb``, ``apache-airflow`` and ``apache-airflow-providers-papermill``
(pinned in ``examples/airflow-constraints.txt``) and a Jupyter kernel of that environment.
Copy this file into the DAGs folder. Settings (environment variables of the DAG processor and
workers):

- ``SOCIALNB_HOME``: the socialnb checkout, holding ``notebooks/`` (default ``/opt/socialnb``)
- ``SOCIALNB_WORKSPACE``: the brands and the warehouse (default ``$SOCIALNB_HOME/data``)
- ``SOCIALNB_NOTEBOOKS``: the report notebooks (default ``$SOCIALNB_HOME/notebooks``)
- ``SOCIALNB_REPORTS``: the rendered reports (default ``$SOCIALNB_HOME/reports``)
- ``SOCIALNB_EXECUTED``: papermill's executed notebooks (default ``$SOCIALNB_HOME/executed``)
- ``SOCIALNB_BRANDS``: comma-separated brand slugs (default: every brand of the workspace)
- ``SOCIALNB_KERNEL``: the Jupyter kernel to run notebooks in (default ``python3``)
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow.providers.papermill.operators.papermill import PapermillOperator
from airflow.sdk import DAG, Param, TaskGroup, task

from socialnb import orchestrate
from socialnb.report import discover_notebooks, write_top_index

HOME = Path(os.environ.get("SOCIALNB_HOME", "/opt/socialnb"))
WORKSPACE = Path(os.environ.get("SOCIALNB_WORKSPACE", HOME / "data"))
NOTEBOOKS = Path(os.environ.get("SOCIALNB_NOTEBOOKS", HOME / "notebooks"))
REPORTS = Path(os.environ.get("SOCIALNB_REPORTS", HOME / "reports"))
EXECUTED = Path(os.environ.get("SOCIALNB_EXECUTED", HOME / "executed"))
KERNEL = os.environ.get("SOCIALNB_KERNEL", "python3")

#: The brands: listed in SOCIALNB_BRANDS, else every brand folder of the workspace (a new brand
#: appears in the DAG when the DAG processor next parses this file).
BRANDS = orchestrate.discover_brands(
    WORKSPACE, [b.strip() for b in os.environ.get("SOCIALNB_BRANDS", "").split(",")]
)

#: Extra notebook parameters, as `socialnb report -p` takes them: ``name`` for every notebook
#: declaring it, ``notebook.name`` for one; checked against the notebooks when the DAG is parsed.
PARAMETERS: dict[str, object] = {}

#: The month the run reports, as the ``month`` task resolved it (rendered when a task runs).
MONTH = "{{ ti.xcom_pull(task_ids='month') }}"

REPORT_NOTEBOOKS = discover_notebooks(NOTEBOOKS)

with DAG(
    dag_id="socialnb_monthly_report",
    description="socialnb monthly report: every brand x every report notebook",
    schedule="0 6 2 * *",  # 06:00 UTC on the 2nd: the exports of the month before are in
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,  # two runs of one month must not share the executed folder
    dagrun_timeout=timedelta(hours=12),
    params={
        "month": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            description="YYYY-MM to report; empty: the month before the run's logical date",
        )
    },
    # Bounded retries: a notebook is retried once (a kernel that did not start, a worker lost),
    # each try killed after an hour; nothing else is retried, so a run always ends.
    default_args={
        "retries": 0,
        "execution_timeout": timedelta(hours=1),
    },
    tags=["socialnb"],
) as dag:

    @task(task_id="month")
    def month(params=None, logical_date=None, dag_run=None) -> str:
        """Resolve the month and empty its executed folders."""
        chosen = orchestrate.resolve_month(
            (params or {}).get("month"),
            logical_date,
            run_after=getattr(dag_run, "run_after", None),
        )
        orchestrate.prepare_month(EXECUTED, BRANDS, chosen)
        print(f"reporting {chosen} for {', '.join(BRANDS)}")
        return chosen

    @task(task_id="ingest")
    def ingest() -> None:
        """Load new raw exports; rejected files are logged, as `socialnb report` does."""
        rejected = orchestrate.ingest_workspace(WORKSPACE, BRANDS)
        print(f"ingest: {len(rejected)} file(s) rejected")

    @task(trigger_rule="all_done")
    def render(brand: str, month: str) -> dict[str, object]:
        """Pages, summary.json and index of one brand, failed notebooks included."""
        result = orchestrate.render_brand(
            brand,
            month,
            workspace=WORKSPACE,
            executed_root=EXECUTED,
            reports_dir=REPORTS,
            notebooks_dir=NOTEBOOKS,
            parameters=PARAMETERS,
        )
        for failed in result.failures:
            print(f"FAILED {failed.describe_failure()}")
        return {
            "index": str(result.index_paths[brand]),
            "failed": [r.notebook for r in result.failures],
            "failures": [r.describe_failure() for r in result.failures],
        }

    @task(task_id="index", trigger_rule="all_done")
    def index(month: str | None = None, ti=None) -> str:
        """reports/index.html over every brand and month; fails the run when any notebook or
        render failed (their pages are written all the same)."""
        path = write_top_index(REPORTS)
        rendered = {brand: ti.xcom_pull(task_ids=f"{brand}.render") for brand in BRANDS}
        orchestrate.check_run(month or "?", rendered)
        return str(path)

    resolved = month()
    ingested = ingest()
    top = index(MONTH)
    resolved >> ingested
    for brand in BRANDS:
        with TaskGroup(group_id=brand):
            rendered = render(brand, resolved)
            for run in orchestrate.report_tasks(
                brand,
                MONTH,
                workspace=WORKSPACE,
                executed_root=EXECUTED,
                notebooks=REPORT_NOTEBOOKS,
                parameters=PARAMETERS,
            ):
                notebook = PapermillOperator(
                    task_id=run.notebook,
                    input_nb=str(run.input_path),
                    output_nb=str(run.output_path),
                    parameters=dict(run.parameters),
                    kernel_name=KERNEL,
                    language_name="python",
                    retries=1,
                    retry_delay=timedelta(minutes=1),
                )
                ingested >> notebook >> rendered
        rendered >> top
