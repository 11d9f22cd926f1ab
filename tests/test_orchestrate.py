"""The monthly report split into scheduler tasks (socialnb.orchestrate) and the Airflow DAG built
on it (examples/airflow_dag.py), checked without Airflow installed: the DAG file is executed
against a stand-in of the few Airflow names it uses. `make test-airflow` runs it on a real
Airflow."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import importlib.util
import json
import shutil
import sys
import types
import zipfile
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

import socialnb
from socialnb import orchestrate, report
from socialnb.errors import NotebookError, ParameterError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
DAG_FILE = ROOT / "examples" / "airflow_dag.py"


def _workspace(tmp: Path, brands=("demo",)) -> Path:
    ws = tmp / "data"
    for brand in brands:
        (ws / brand).mkdir(parents=True)
        (ws / brand / "brand.yaml").write_text(
            f"name: {brand.title()}\ntimezone: Europe/London\n", encoding="utf-8"
        )
    return ws


# --- the month ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logical_date", "month"),
    [
        (dt.date(2026, 11, 2), "2026-10"),
        (dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC), "2026-10"),
        (dt.datetime(2026, 11, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2026-09"),
        ("2026-01-05T06:00:00+00:00", "2025-12"),
        ("2026-03-01", "2026-02"),
    ],
)
def test_the_month_reported_is_the_month_that_ended_before_the_logical_date(logical_date, month):
    assert orchestrate.month_for_logical_date(logical_date) == month


def test_the_month_param_overrides_the_logical_date_and_is_checked():
    assert orchestrate.resolve_month("2026-07", dt.date(2026, 11, 2)) == "2026-07"
    assert orchestrate.resolve_month("", dt.date(2026, 11, 2)) == "2026-10"
    assert orchestrate.resolve_month(None, dt.date(2026, 11, 2)) == "2026-10"
    with pytest.raises(ParameterError, match="YYYY-MM"):
        orchestrate.resolve_month("2026-7x", dt.date(2026, 11, 2))


def test_a_manual_run_without_logical_date_reports_the_month_before_it_was_due():
    due = dt.datetime(2026, 12, 9, 14, 0, tzinfo=dt.UTC)
    assert orchestrate.resolve_month(None, None, run_after=due) == "2026-11"
    with pytest.raises(ParameterError, match="month"):
        orchestrate.resolve_month(None, None)
    with pytest.raises(ParameterError, match="not a date"):
        orchestrate.month_for_logical_date("next tuesday")


# --- brands and tasks -----------------------------------------------------------------------


def test_brands_are_discovered_from_the_workspace_or_listed_and_checked(tmp_path):
    ws = _workspace(tmp_path, ("beta", "alpha"))
    (ws / "not_a_brand").mkdir()
    assert orchestrate.discover_brands(ws) == ["alpha", "beta"]
    assert orchestrate.discover_brands(ws, ["beta", ""]) == ["beta"]
    with pytest.raises(ParameterError, match="gamma.*alpha, beta"):
        orchestrate.discover_brands(ws, ["gamma"])
    with pytest.raises(ParameterError, match="no brands"):
        orchestrate.discover_brands(tmp_path / "empty")


def test_each_notebook_task_gets_exactly_the_parameters_socialnb_report_passes(
    tmp_path, monkeypatch
):
    ws = _workspace(tmp_path, ("demo", "other"))
    seen: list = []

    def fake(task):
        seen.append(task)
        raise RuntimeError("not run in this test")

    monkeypatch.setattr(report.run, "_run_task", fake)
    monkeypatch.setattr(
        report.run, "check_reportable", lambda *a, **k: None
    )  # brands without posts
    report.run_report(
        ws,
        "2026-10",
        notebooks_dir=FIXTURE_NOTEBOOKS,
        reports_dir=tmp_path / "reports",
        jobs=1,
        parameters={"fixture_report.n_top": 5},
        ingest=False,
        echo=lambda _m: None,
    )
    by_run = {(t.brand, t.notebook.name): dict(t.parameters) for t in seen}
    planned = {}
    for brand in ("demo", "other"):
        for run in orchestrate.report_tasks(
            brand,
            "2026-10",
            workspace=ws,
            executed_root=tmp_path / "executed",
            notebooks_dir=FIXTURE_NOTEBOOKS,
            parameters={"fixture_report.n_top": 5},
        ):
            assert (
                run.output_path == tmp_path / "executed" / brand / "2026-10" / run.input_path.name
            )
            assert run.task_id == f"{brand}.{run.notebook}"
            planned[(brand, run.notebook)] = dict(run.parameters)
    assert set(planned) == set(by_run)
    for key, params in planned.items():
        expected = dict(by_run[key])
        if "report_dir" in expected:  # the report's build folder vs the executed folder
            assert params.pop("report_dir") == str(tmp_path / "executed" / key[0] / "2026-10")
            expected.pop("report_dir")
        assert params == expected, key
    assert planned[("demo", "fixture_report")]["n_top"] == 5


def test_notebook_tasks_refuse_bad_parameters_and_take_a_month_template(tmp_path):
    ws = _workspace(tmp_path)
    kw = {"workspace": ws, "executed_root": tmp_path / "x", "notebooks_dir": FIXTURE_NOTEBOOKS}
    with pytest.raises(ParameterError, match="no_such"):
        orchestrate.report_tasks("demo", "2026-10", parameters={"no_such": 1}, **kw)
    with pytest.raises(ParameterError, match="n_top"):
        orchestrate.report_tasks("demo", "2026-10", parameters={"n_top": "five"}, **kw)
    with pytest.raises(ParameterError, match="YYYY-MM"):
        orchestrate.report_tasks("demo", "October", **kw)
    template = "{{ ti.xcom_pull(task_ids='month') }}"
    runs = orchestrate.report_tasks("demo", template, **kw)
    assert all(r.parameters["month"] == template for r in runs)
    assert all(template in str(r.output_path) for r in runs)
    assert list(runs[0].to_frame().columns) == [
        "brand",
        "notebook",
        "input",
        "output",
        "parameters",
    ]


def test_preparing_a_month_creates_its_folders_and_drops_an_earlier_runs_notebooks(tmp_path):
    stale = tmp_path / "executed" / "demo" / "2026-10" / "old.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    other_month = tmp_path / "executed" / "demo" / "2026-09" / "kept.ipynb"
    other_month.parent.mkdir(parents=True)
    other_month.write_text("{}")
    folders = orchestrate.prepare_month(tmp_path / "executed", ["demo", "new"], "2026-10")
    assert all(f.is_dir() and not any(f.iterdir()) for f in folders.values())
    assert set(folders) == {"demo", "new"}
    assert other_month.exists()


# --- rendering what papermill executed ------------------------------------------------------


def _execute_like_the_papermill_operator(runs) -> None:
    """What PapermillOperator.execute does for each task (report_mode, a named kernel)."""
    for run in runs:
        # a failing notebook fails its task; its executed notebook (with the error) stays
        with contextlib.suppress(PapermillExecutionError):
            pm.execute_notebook(
                str(run.input_path),
                str(run.output_path),
                parameters=dict(run.parameters),
                progress_bar=False,
                report_mode=True,
                kernel_name="python3",
            )


@pytest.mark.slow
def test_rendered_tasks_give_the_summary_and_pages_socialnb_report_gives(tmp_path):
    ws = _workspace(tmp_path)
    october = ROOT / "data" / "fernway" / "raw" / "2026-10"  # one month of posts, ingested
    (ws / "demo" / "raw").mkdir()
    shutil.copy(next(october.glob("Oct-01-2026_Oct-31-2026_*.csv")), ws / "demo" / "raw")
    assert socialnb.Workspace(ws).ingest().ok
    common = {"notebooks_dir": FIXTURE_NOTEBOOKS, "parameters": {"fixture_report.n_top": 5}}
    cli = report.run_report(
        ws,
        "2026-10",
        reports_dir=tmp_path / "cli",
        jobs=2,
        ingest=False,
        echo=lambda _m: None,
        **common,
    )
    executed = tmp_path / "executed"
    orchestrate.prepare_month(executed, ["demo"], "2026-10")
    _execute_like_the_papermill_operator(
        orchestrate.report_tasks("demo", "2026-10", workspace=ws, executed_root=executed, **common)
    )
    dag = orchestrate.render_brand(
        "demo",
        "2026-10",
        workspace=ws,
        executed_root=executed,
        reports_dir=tmp_path / "dag",
        **common,
    )
    assert [r.notebook for r in dag.notebooks] == [r.notebook for r in cli.notebooks]
    assert [r.status for r in dag.notebooks] == [r.status for r in cli.notebooks]
    assert "failed" in {r.status for r in dag.notebooks}, "the fixtures include a failing notebook"
    a = json.loads((tmp_path / "dag" / "demo" / "2026-10" / "summary.json").read_text())
    b = json.loads((tmp_path / "cli" / "demo" / "2026-10" / "summary.json").read_text())
    assert [k for k in a if k != "_run"] == [k for k in b if k != "_run"]
    for name in (k for k in a if k != "_run"):
        for key in ("status", "error", "cell", "title", "parameters", "results"):
            assert a[name][key] == b[name][key], (name, key)
    files = sorted(p.name for p in (tmp_path / "dag" / "demo" / "2026-10").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "cli" / "demo" / "2026-10").iterdir())
    assert (tmp_path / "dag" / "index.html").is_file()
    with pytest.raises(NotebookError, match="broken_report"):
        orchestrate.check_run("2026-10", {"demo": dag})


def test_a_notebook_whose_task_left_nothing_gets_a_failed_page_saying_so(tmp_path):
    ws = _workspace(tmp_path)
    executed = tmp_path / "executed"
    orchestrate.prepare_month(executed, ["demo"], "2026-10")
    result = orchestrate.render_brand(
        "demo",
        "2026-10",
        workspace=ws,
        executed_root=executed,
        reports_dir=tmp_path / "reports",
        notebooks_dir=FIXTURE_NOTEBOOKS,
    )
    assert {r.notebook for r in result.notebooks} == {"fixture_report", "broken_report"}
    assert all(r.status == "failed" for r in result.notebooks)
    assert all("no executed notebook" in r.error for r in result.notebooks)
    summary = json.loads((tmp_path / "reports" / "demo" / "2026-10" / "summary.json").read_text())
    assert summary["fixture_report"]["parameters"]["brand"] == "demo"
    assert summary["fixture_report"]["parameters"]["month"] == "2026-10"
    page = (tmp_path / "reports" / "demo" / "2026-10" / "fixture_report.html").read_text()
    assert "no executed notebook" in page


def test_a_notebook_killed_mid_cell_is_marked_failed_not_ok(tmp_path):
    ws = _workspace(tmp_path)
    executed = tmp_path / "executed"
    orchestrate.prepare_month(executed, ["demo"], "2026-10")
    for run in orchestrate.report_tasks(
        "demo", "2026-10", workspace=ws, executed_root=executed, notebooks_dir=FIXTURE_NOTEBOOKS
    ):
        nb = nbformat.read(run.input_path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        for cell in code:
            cell.metadata["papermill"] = {"status": "completed"}
        code[-1].metadata["papermill"] = {"status": "running"}  # killed here: no error output
        nb.metadata["papermill"] = {"parameters": dict(run.parameters)}
        nbformat.write(nb, run.output_path)
    result = orchestrate.render_brand(
        "demo",
        "2026-10",
        workspace=ws,
        executed_root=executed,
        reports_dir=tmp_path / "reports",
        notebooks_dir=FIXTURE_NOTEBOOKS,
    )
    assert [r.status for r in result.notebooks] == ["failed", "failed"]
    assert all("stopped before this cell finished" in r.error for r in result.notebooks)


def test_the_run_fails_naming_every_failed_notebook_and_unrendered_brand():
    orchestrate.check_run("2026-10", {"a": {"failed": [], "failures": []}})
    with pytest.raises(NotebookError) as info:
        orchestrate.check_run(
            "2026-10",
            {
                "a": {"failed": ["retro"], "failures": ["a/retro.ipynb failed at cell 3: X"]},
                "b": None,
                "c": {"failed": [], "failures": []},
            },
        )
    text = str(info.value)
    assert "a/retro" in text and "cell 3: X" in text
    assert "b: the report was not rendered" in text
    assert "c" not in info.value.notebook.split(", ")


# --- the Airflow DAG, against a stand-in of the Airflow names it imports ---------------------


class _FakeTask:
    def __init__(self, dag, task_id, kind, **kwargs):
        group = dag.groups[-1] if dag.groups else None
        self.task_id = f"{group}.{task_id}" if group else task_id
        self.kind = kind
        self.kwargs = kwargs
        self.downstream: set[str] = set()
        assert self.task_id not in dag.tasks, f"duplicate task id {self.task_id}"
        dag.tasks[self.task_id] = self

    def __rshift__(self, other):
        self.downstream.add(other.task_id)
        return other


def _fake_airflow(monkeypatch) -> types.SimpleNamespace:
    state = types.SimpleNamespace(dag=None)

    class DAG:
        def __init__(self, dag_id, **kwargs):
            self.dag_id, self.kwargs, self.tasks, self.groups = dag_id, kwargs, {}, []

        def __enter__(self):
            state.dag = self
            return self

        def __exit__(self, *exc):
            return False

    class TaskGroup:
        def __init__(self, group_id):
            self.group_id = group_id

        def __enter__(self):
            state.dag.groups.append(self.group_id)

        def __exit__(self, *exc):
            state.dag.groups.pop()

    def task(task_id=None, **options):
        def wrap(fn):
            def call(*args, **kwargs):
                made = _FakeTask(
                    state.dag, task_id or fn.__name__, "python", fn=fn, args=args, options=options
                )
                for arg in args:
                    if isinstance(arg, _FakeTask):
                        arg >> made
                return made

            return call

        return wrap

    def papermill_operator(*, task_id, **kwargs):
        return _FakeTask(state.dag, task_id, "papermill", **kwargs)

    sdk = types.ModuleType("airflow.sdk")
    sdk.DAG, sdk.TaskGroup, sdk.task = DAG, TaskGroup, task
    sdk.Param = lambda default, **kw: {"default": default, **kw}
    pm_mod = types.ModuleType("airflow.providers.papermill.operators.papermill")
    pm_mod.PapermillOperator = papermill_operator
    for name in (
        "airflow",
        "airflow.providers",
        "airflow.providers.papermill",
        "airflow.providers.papermill.operators",
    ):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "airflow.sdk", sdk)
    monkeypatch.setitem(sys.modules, pm_mod.__name__, pm_mod)
    return state


def _load_dag(monkeypatch, tmp_path, brands=("alpha", "beta"), listed=""):
    ws = _workspace(tmp_path, brands)
    monkeypatch.setenv("SOCIALNB_HOME", str(tmp_path))
    monkeypatch.setenv("SOCIALNB_WORKSPACE", str(ws))
    monkeypatch.setenv("SOCIALNB_NOTEBOOKS", str(FIXTURE_NOTEBOOKS))
    monkeypatch.setenv("SOCIALNB_BRANDS", listed)
    state = _fake_airflow(monkeypatch)
    spec = importlib.util.spec_from_file_location("socialnb_test_dag", DAG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return state.dag, module, ws


def test_the_dag_runs_month_ingest_one_task_per_brand_and_notebook_then_render(
    monkeypatch, tmp_path
):
    dag, module, ws = _load_dag(monkeypatch, tmp_path)
    assert dag.dag_id == "socialnb_monthly_report"
    notebooks = [nb.name for nb in report.discover_notebooks(FIXTURE_NOTEBOOKS)]
    tasks = dag.tasks
    expected = {"month", "ingest", "index"} | {
        f"{b}.{n}" for b in ("alpha", "beta") for n in [*notebooks, "render"]
    }
    assert set(tasks) == expected
    assert tasks["month"].downstream >= {"ingest", "alpha.render", "beta.render"}
    for brand in ("alpha", "beta"):
        planned = orchestrate.report_tasks(
            brand,
            module.MONTH,
            workspace=ws,
            executed_root=tmp_path / "executed",
            notebooks_dir=FIXTURE_NOTEBOOKS,
        )
        for run in planned:
            op = tasks[run.task_id]
            assert op.kind == "papermill"
            assert run.task_id in tasks["ingest"].downstream
            assert op.downstream == {f"{brand}.render"}
            assert op.kwargs["parameters"] == dict(run.parameters)
            assert op.kwargs["input_nb"] == str(run.input_path)
            assert op.kwargs["output_nb"] == str(run.output_path)
            assert 0 < op.kwargs["retries"] <= 2, "notebook retries are bounded"
        render = tasks[f"{brand}.render"]
        assert render.kwargs["options"]["trigger_rule"] == "all_done"
        assert render.downstream == {"index"}
    assert tasks["index"].kwargs["options"]["trigger_rule"] == "all_done"
    assert dag.kwargs["default_args"]["retries"] == 0
    assert dag.kwargs["default_args"]["execution_timeout"] > dt.timedelta(0)
    assert dag.kwargs["max_active_runs"] == 1
    assert dag.kwargs["schedule"].split()[2] == "2"
    assert dag.kwargs["params"]["month"]["default"] is None


def test_the_dag_reports_only_the_listed_brands(monkeypatch, tmp_path):
    dag, _module, _ws = _load_dag(monkeypatch, tmp_path, listed="beta")
    assert {t.split(".")[0] for t in dag.tasks if "." in t} == {"beta"}


def test_the_dags_month_task_resolves_the_month_and_prepares_its_folders(monkeypatch, tmp_path):
    dag, _module, _ws = _load_dag(monkeypatch, tmp_path)
    fn = dag.tasks["month"].kwargs["fn"]
    run = types.SimpleNamespace(run_after=dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC))
    assert fn(params={"month": None}, logical_date=None, dag_run=run) == "2026-10"
    assert (tmp_path / "executed" / "alpha" / "2026-10").is_dir()
    assert fn(params={"month": "2026-08"}, logical_date=run.run_after, dag_run=run) == "2026-08"


def test_the_dag_uses_airflow_3_import_paths_only():
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    airflow = {m for m in modules if m and m.startswith("airflow")}
    assert "airflow.sdk" in airflow
    assert not {m for m in airflow if m == "airflow" or m.startswith("airflow.operators")}


# --- the make test-airflow checker ----------------------------------------------------------


def _checker():
    spec = importlib.util.spec_from_file_location(
        "airflow_test_checker", ROOT / "examples" / "airflow_test.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_airflow_check_fails_on_any_task_not_succeeded():
    check = _checker()
    states = [{"task_id": "month", "state": "success"}, {"task_id": "a.retro", "state": "failed"}]
    problems = check.check_states(states, ["month", "a.retro", "a.render"])
    assert problems == ["task a.retro ended failed", "task a.render did not run"]
    assert check.check_states(states[:1], ["month"]) == []


def test_the_airflow_check_compares_results_and_statuses_not_timings():
    check = _checker()
    entry = {"status": "ok", "results": {"x": 1}, "parameters": {"brand": "a"}, "seconds": 1.0}
    run = {"_run": {"month": "2026-10"}}
    same = {"retro": dict(entry, seconds=9.0), **run}
    assert check.compare_summaries("a", {"retro": entry, **run}, same, "2026-10") == []
    other = {"retro": dict(entry, results={"x": 2}), **run}
    assert "results differs" in " ".join(
        check.compare_summaries("a", {"retro": entry, **run}, other, "2026-10")
    )
    failed = {"retro": dict(entry, status="failed"), **run}
    assert check.compare_summaries("a", failed, failed, "2026-10")
    assert check.logical_date_for("2026-10") == dt.date(2026, 11, 2)
    assert check.logical_date_for("2026-12") == dt.date(2027, 1, 2)


def test_repacked_exports_hold_the_same_content_in_other_bytes(tmp_path):
    check = _checker()
    raw = tmp_path / "b" / "raw"
    raw.mkdir(parents=True)
    (raw / "a.csv").write_bytes(b"x,y\n1,2\n")
    (raw / "u16.csv").write_bytes("\ufeffx\ty\n1\t2\n".encode("utf-16-le"))
    with zipfile.ZipFile(raw / "c.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("in.csv", "p,q\n" * 50)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    assert check.repack_exports(tmp_path / "b") == 3
    after = {p.name: p.read_bytes() for p in raw.iterdir()}
    assert all(before[k] != after[k] for k in before)
    assert after["a.csv"] == b"x,y\r\n1,2\r\n"
    assert after["u16.csv"].decode("utf-16-le") == "\ufeffx\ty\r\n1\t2\r\n"
    with zipfile.ZipFile(raw / "c.zip") as z:
        assert z.read("in.csv") == b"p,q\n" * 50


def test_the_airflow_check_reads_each_summary_relative_to_its_reports_folder(tmp_path):
    check = _checker()
    folder = tmp_path / "rep orts"
    path = tmp_path / "summary.json"
    entry = {"parameters": {"report_dir": str(folder / "a" / "2026-10"), "brand": "a"}}
    path.write_text(json.dumps({"nb": entry}))
    read = check.read_summary(path, folder)
    assert read["nb"]["parameters"] == {"report_dir": "<reports>/a/2026-10", "brand": "a"}


def test_every_shipped_report_notebook_gets_a_task_with_workspace_brand_and_month(tmp_path):
    ws = _workspace(tmp_path)
    runs = orchestrate.report_tasks(
        "demo",
        "2026-10",
        workspace=ws,
        executed_root=tmp_path / "x",
        notebooks_dir=ROOT / "notebooks",
    )
    names = [r.notebook for r in runs]
    assert names == [nb.name for nb in report.discover_notebooks(ROOT / "notebooks")]
    assert "overview" in names
    for run in runs:
        assert {"workspace", "brand", "month"} <= set(run.parameters), run.notebook
