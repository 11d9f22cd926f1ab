"""``make test-airflow``: run examples/airflow_dag.py under a real Airflow 3 and compare its report
with ``socialnb report``'s.

Run with the Python of the Airflow environment (``.venv-airflow/bin/python``, which has socialnb,
apache-airflow and the papermill provider from examples/airflow-constraints.txt). In a temporary
folder it:

1. writes a two-brand workspace: the sample brand ``fernway`` and the same sample under
   ``harbour``, its export files re-packed (CRLF text, stored zips: the same rows in other bytes,
   since the warehouse skips a file whose bytes it has already loaded);
2. sets up Airflow standalone (``AIRFLOW_HOME`` in the temporary folder, sqlite, no scheduler),
   copies the DAG into its DAGs folder and runs ``airflow dags test socialnb_monthly_report`` on
   the 2nd of the month after the sample's last complete month;
3. runs ``socialnb report`` for the same month into another folder;
4. checks that every task of the run succeeded, that the run reported that month, and that each
   brand's summary.json has the same notebooks, statuses, parameters and results as
   ``socialnb report``'s, with the same files beside it.

Exits 1 when any check fails (the temporary folder is then kept and named), 0 otherwise.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAG_ID = "socialnb_monthly_report"
#: The kernel `make test-airflow` installs into the Airflow environment.
KERNEL = "socialnb-airflow"
#: The run's own metadata in summary.json (timings, versions): allowed to differ.
RUN_KEY = "_run"
#: Per-notebook entries that legitimately differ between two runs.
VOLATILE = {"seconds"}

_BOMS = (
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF8, "utf-8"),
)


def repack_exports(brand_dir: Path) -> int:
    """Rewrite every raw export of a brand in other bytes with the same content: text files
    with CRLF line ends (in their own encoding and byte-order mark), zip files stored instead
    of deflated. Returns the number of files rewritten."""
    count = 0
    for path in sorted((brand_dir / "raw").rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(io.BytesIO(data)) as src:
                members = [(info, src.read(info)) for info in src.infolist()]
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as dst:
                for info, blob in members:
                    info.compress_type = zipfile.ZIP_STORED
                    dst.writestr(info, blob)
        else:
            bom, encoding = next(((b, e) for b, e in _BOMS if data.startswith(b)), (b"", "utf-8"))
            text = data[len(bom) :].decode(encoding)
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
            path.write_bytes(bom + text.encode(encoding))
        count += 1
    return count


def logical_date_for(month: str) -> dt.date:
    """The 2nd of the month after ``month``: the scheduled run that reports ``month``."""
    first = dt.date.fromisoformat(f"{month}-01")
    return (first + dt.timedelta(days=32)).replace(day=2)


def check_states(states: Sequence[Mapping[str, Any]], expected: Sequence[str]) -> list[str]:
    """Problems with a run's task states: a task not in ``success``, or missing, or unexpected."""
    problems = []
    seen = {s["task_id"]: s.get("state") for s in states}
    for task_id in expected:
        if task_id not in seen:
            problems.append(f"task {task_id} did not run")
        elif seen[task_id] != "success":
            problems.append(f"task {task_id} ended {seen[task_id]}")
    problems += [f"unexpected task {t}" for t in seen if t not in expected]
    return problems


def compare_summaries(
    brand: str, dag: Mapping[str, Any], cli: Mapping[str, Any], month: str
) -> list[str]:
    """Problems between the DAG's and ``socialnb report``'s summary.json of one brand."""
    problems = []
    dag_nbs = [k for k in dag if k != RUN_KEY]
    cli_nbs = [k for k in cli if k != RUN_KEY]
    if dag_nbs != cli_nbs:
        problems.append(f"{brand}: notebooks {dag_nbs} (DAG) != {cli_nbs} (socialnb report)")
    for side, summary in (("DAG", dag), ("socialnb report", cli)):
        if summary.get(RUN_KEY, {}).get("month") != month:
            problems.append(f"{brand}: the {side} report is for {summary.get(RUN_KEY, {})}")
    for name in dict.fromkeys(dag_nbs + cli_nbs):
        a, b = dag.get(name, {}), cli.get(name, {})
        for side, entry in (("DAG", a), ("socialnb report", b)):
            if entry.get("status") != "ok":
                problems.append(f"{brand}/{name}: {side} status {entry.get('status')}")
        for key in sorted((set(a) | set(b)) - VOLATILE):
            if a.get(key) != b.get(key):
                problems.append(
                    f"{brand}/{name}: {key} differs: DAG {json.dumps(a.get(key))[:300]} != "
                    f"socialnb report {json.dumps(b.get(key))[:300]}"
                )
    return problems


def compare_folders(brand: str, dag_dir: Path, cli_dir: Path) -> list[str]:
    """Problems between the files of the two report folders of one brand and month."""
    dag_files = sorted(p.name for p in dag_dir.iterdir()) if dag_dir.is_dir() else []
    cli_files = sorted(p.name for p in cli_dir.iterdir()) if cli_dir.is_dir() else []
    if not dag_files:
        return [f"{brand}: the DAG wrote no report folder {dag_dir}"]
    if dag_files != cli_files:
        return [f"{brand}: files {dag_files} (DAG) != {cli_files} (socialnb report)"]
    return []


def read_summary(path: Path, reports_dir: Path) -> dict[str, Any]:
    """A summary.json with its reports folder written ``<reports>`` (the two runs write to two
    folders; a ``report_dir`` parameter names its own)."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text.replace(json.dumps(str(reports_dir))[1:-1], "<reports>"))


def _last_json(text: str) -> Any:
    for line in reversed(text.splitlines()):
        if line.startswith(("[", "{")):
            return json.loads(line)
    raise ValueError(f"no JSON in the output:\n{text[-2000:]}")


def _run(cmd: Sequence[str], log: Path, env: Mapping[str, str]) -> tuple[int, float]:
    t0 = time.perf_counter()
    with log.open("w") as out:
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
    return rc, time.perf_counter() - t0


def main() -> int:
    bin_dir = Path(sys.executable).parent
    from socialnb.report import discover_notebooks
    from socialnb.sample import LAST_COMPLETE_MONTH as month

    tmp = Path(tempfile.mkdtemp(prefix="socialnb-airflow-"))
    home, airflow_home = tmp / "home", tmp / "airflow"
    workspace = home / "data"
    (airflow_home / "dags").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "airflow_dag.py", airflow_home / "dags" / "airflow_dag.py")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(airflow_home / "dags"),
        "SOCIALNB_HOME": str(home),
        "SOCIALNB_NOTEBOOKS": str(ROOT / "notebooks"),
        "SOCIALNB_KERNEL": KERNEL,
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("SOCIALNB_BRANDS", None)
    socialnb = str(bin_dir / "socialnb")
    airflow = str(bin_dir / "airflow")
    brands = ["fernway", "harbour"]
    for brand in brands:
        subprocess.run(
            [socialnb, "sample", "--workspace", str(workspace), "--brand", brand],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    repack_exports(workspace / "harbour")
    # a kernel of this environment, by a name no other Jupyter install uses
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL],
        check=True,
        capture_output=True,
    )
    logical = logical_date_for(month)
    print(f"test-airflow: {', '.join(brands)} in {tmp}, run of {logical} (month {month})")

    rc, secs = _run([airflow, "db", "migrate"], tmp / "db-migrate.log", env)
    if rc:
        print(f"airflow db migrate failed ({tmp / 'db-migrate.log'})")
        return 1
    rc, dag_secs = _run(
        [airflow, "dags", "test", DAG_ID, logical.isoformat()], tmp / "dags-test.log", env
    )
    print(f"airflow dags test: exit {rc} in {dag_secs:.0f} s (log {tmp / 'dags-test.log'})")
    runs = _last_json(
        subprocess.run(
            [airflow, "dags", "list-runs", DAG_ID, "-o", "json"],
            env=env,
            capture_output=True,
            text=True,
        ).stdout
    )
    problems: list[str] = [] if rc == 0 else [f"airflow dags test exited {rc}"]
    checks = 1
    if len(runs) != 1:
        problems.append(f"expected one run of {DAG_ID}, found {len(runs)}")
        states: list[dict[str, Any]] = []
    else:
        states = _last_json(
            subprocess.run(
                [airflow, "tasks", "states-for-dag-run", DAG_ID, runs[0]["run_id"], "-o", "json"],
                env=env,
                capture_output=True,
                text=True,
            ).stdout
        )
    notebooks = [nb.name for nb in discover_notebooks(ROOT / "notebooks")]
    expected = ["month", "ingest", "index"] + [
        f"{b}.{n}" for b in brands for n in [*notebooks, "render"]
    ]
    problems += check_states(states, expected)
    checks += len(expected)

    cli_reports = tmp / "cli" / "reports"  # same folder name: pages show it relative
    rc, cli_secs = _run(
        [
            socialnb,
            "report",
            "--workspace",
            str(workspace),
            "--reports",
            str(cli_reports),
            "--month",
            month,
            "--quiet",
        ],
        tmp / "socialnb-report.log",
        env,
    )
    print(f"socialnb report: exit {rc} in {cli_secs:.0f} s")
    if rc:
        problems.append(f"socialnb report exited {rc} ({tmp / 'socialnb-report.log'})")
    for brand in brands:
        dag_dir, cli_dir = home / "reports" / brand / month, cli_reports / brand / month
        checks += 2
        found = compare_folders(brand, dag_dir, cli_dir)
        problems += found
        if not found:
            problems += compare_summaries(
                brand,
                read_summary(dag_dir / "summary.json", home / "reports"),
                read_summary(cli_dir / "summary.json", cli_reports),
                month,
            )
    for problem in problems:
        print(f"FAILED {problem}")
    print(f"test-airflow: {checks - min(len(problems), checks)} passed, {len(problems)} failed")
    if problems:
        print(f"kept {tmp} for inspection")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
