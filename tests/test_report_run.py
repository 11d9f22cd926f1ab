"""How ``run_report`` runs a month: the one brand chooser, the order notebooks start in, kernels
warming up while the brands are checked, and each brand put together as soon as its pages are
done (``socialnb/report/run.py``, ``brands.py``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from _fakes import finished_page

from socialnb import orchestrate, report
from socialnb.errors import ParameterError
from socialnb.report import run as report_run

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
SAMPLE_OCTOBER = ROOT / "data" / "fernway" / "raw" / "2026-10"
FACEBOOK_OCTOBER = "Oct-01-2026_Oct-31-2026_4568704152650398.csv"


def _two_brands(tmp: Path) -> Path:
    """Brands ``alpha`` and ``beta``, each with the sample's October Facebook posts, ingested
    (beta's file has a trailing blank line, so that its bytes differ from alpha's)."""
    from socialnb import Workspace

    ws = tmp / "data"
    for i, slug in enumerate(("alpha", "beta")):
        raw = ws / slug / "raw" / "2026-10"
        raw.mkdir(parents=True)
        (ws / slug / "brand.yaml").write_text(
            f"name: {slug.title()}\ntimezone: Europe/London\n", encoding="utf-8"
        )
        data = (SAMPLE_OCTOBER / FACEBOOK_OCTOBER).read_bytes()
        (raw / FACEBOOK_OCTOBER).write_bytes(data + b"\n" * i)
    assert Workspace(ws).ingest().ok
    return ws


def test_one_brand_chooser_answers_report_orchestrate_and_ingest_alike(tmp_path):
    ws = _two_brands(tmp_path)
    assert report.choose_brands(ws) == ["alpha", "beta"]
    assert report.choose_brands(ws, ["beta", ""]) == ["beta"]
    assert orchestrate.discover_brands(ws, ["beta"]) == ["beta"]
    messages = []
    for choose in (report.choose_brands, orchestrate.discover_brands):
        with pytest.raises(ParameterError) as err:
            choose(ws, ["alpah"])
        messages.append(str(err.value))
    with pytest.raises(ParameterError) as err:
        report.run_report(ws, "2026-10", brands=["alpah"], notebooks_dir=FIXTURE_NOTEBOOKS)
    messages.append(str(err.value))
    assert len(set(messages)) == 1, messages
    assert "unknown brand(s) alpah" in messages[0]
    assert "(folders with a brand.yaml): alpha, beta" in messages[0]
    assert "What to do:" in messages[0]


def test_an_empty_workspace_is_refused_saying_what_to_do(tmp_path):
    with pytest.raises(ParameterError, match="has no brands .* What to do"):
        report.choose_brands(tmp_path)


def test_a_brands_notebooks_start_longest_first_as_the_last_reports_timed_them():
    nbs = {n: report.ReportNotebook(Path(f"{n}.ipynb"), n, n, 1, {}) for n in "abcd"}
    tasks = [report_run._Task("x", nbs[n], {}, Path("."), 1, False, "2026-10") for n in "abcd"]
    expected = {"a": 2.0, "b": 9.5, "c": 0.5}  # d was never timed: it counts as longest
    order = [t.notebook.name for t in report_run._schedule(tasks, expected)]
    assert order == ["d", "b", "a", "c"]


def test_a_brand_is_put_together_while_the_next_brands_notebooks_run(tmp_path, monkeypatch):
    ws = _two_brands(tmp_path)
    out = tmp_path / "reports"
    alpha_index = out / "alpha" / "2026-10" / "index.html"
    seen: dict[str, bool] = {}

    def fake(task):
        if task.brand == "beta" and "alpha" not in seen:
            # alpha's pages are done: its month is placed while beta's notebooks still run
            event = threading.Event()
            for _ in range(600):
                if alpha_index.is_file():
                    break
                event.wait(0.05)
            seen["alpha"] = alpha_index.is_file()
        return finished_page(task)

    monkeypatch.setattr(report_run, "_run_task", fake)
    result = report.run_report(
        ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, reports_dir=out, jobs=1
    )
    assert seen == {"alpha": True}
    assert list(result.index_paths) == ["alpha", "beta"]
    assert [(r.brand, r.notebook) for r in result.notebooks] == [
        (b, n) for b in ("alpha", "beta") for n in ("fixture_report", "broken_report")
    ]
    assert (out / "beta" / "2026-10" / "index.html").is_file()


def test_kernels_warm_up_before_the_brands_are_checked(tmp_path, monkeypatch):
    ws = _two_brands(tmp_path)
    calls: list[str] = []
    monkeypatch.setattr(
        report_run._KernelPool, "prewarm", lambda self, pool, n, cwd, t: calls.append(f"warm {n}")
    )
    checked = report_run.check_reportable

    def check(ws_, brands, month):
        calls.append(f"check {','.join(brands)}")
        return checked(ws_, brands, month)

    monkeypatch.setattr(report_run, "check_reportable", check)
    monkeypatch.setattr(
        report_run, "_run_task", lambda t: (calls.append("run"), finished_page(t))[1]
    )
    monkeypatch.delenv("SOCIALNB_KERNEL_REUSE", raising=False)
    report.run_report(
        ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, reports_dir=tmp_path / "r", jobs=2
    )
    assert calls[:3] == ["warm 2", "check ", "check alpha"]
    assert calls.index("run") > calls.index("check alpha")


def test_on_the_schedule_a_brand_without_posts_in_the_month_is_skipped_and_the_rest_run(
    tmp_path, monkeypatch
):
    ws = _two_brands(tmp_path)
    newco = ws / "newco"
    newco.mkdir()
    shutil.copy(ws / "alpha" / "brand.yaml", newco / "brand.yaml")
    monkeypatch.setattr(report_run, "_run_task", finished_page)
    said: list[str] = []
    result = report.run_report(
        ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, reports_dir=tmp_path / "r", echo=said.append
    )
    assert list(result.index_paths) == ["alpha", "beta"]
    assert any(line.startswith("skipped newco: brand 'newco' has no posts") for line in said)
    assert not (tmp_path / "r" / "newco").exists()
    with pytest.raises(ParameterError, match="brand 'newco' has no posts"):  # named: refused
        report.run_report(
            ws, "2026-10", brands=["alpha", "newco"], notebooks_dir=FIXTURE_NOTEBOOKS,
            reports_dir=tmp_path / "r2",
        )  # fmt: skip
    assert not (tmp_path / "r2").exists()


def test_kernels_running_at_once_share_the_cores_for_blas(monkeypatch):
    from socialnb import _zygote
    from socialnb.report import kernels

    monkeypatch.setattr(_zygote, "cores", lambda: 4)
    assert [_zygote._threads_per_kernel(j) for j in (1, 2, 3, 8)] == [4, 2, 1, 1]
    for name in _zygote._THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    env = kernels._venv_kernel_manager(1)().kernel_spec.env
    assert {env[name] for name in _zygote._THREAD_VARIABLES} == {"1"}
    assert _zygote.kernel_env(1) == env  # a forked kernel gets the same environment
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own setting is kept
    assert "OMP_NUM_THREADS" not in _zygote._thread_env(1)
    assert _zygote._thread_env(None) == {}


def test_a_report_started_on_one_core_runs_one_notebook_at_a_time_with_one_blas_thread():
    """The default --jobs and the BLAS threads follow the cores the process may use (taskset, a
    container's cpuset), not the machine's count."""
    code = (
        "import os; from socialnb import _zygote; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
        "print(_zygote.workers(None), _zygote._threads_per_kernel(1))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["1", "1"]


def test_a_worker_runs_its_next_notebook_while_the_last_page_is_rendered(tmp_path, monkeypatch):
    """Rendering a page is off the worker's path: with one worker, the second notebook starts
    while the first one's page is still being rendered, and every page still arrives."""
    import papermill

    ws = _two_brands(tmp_path)
    started: list[str] = []
    second_started = threading.Event()
    execute, render = papermill.execute_notebook, report_run._render_page

    def run(path, *args, **kwargs):
        started.append(Path(path).stem)
        if len(started) == 2:
            second_started.set()
        return execute(path, *args, **kwargs)

    overlapped: list[bool] = []

    def slow_render(task, *args):
        if not overlapped:  # the first page: is the next notebook running meanwhile?
            overlapped.append(second_started.wait(timeout=120))
        return render(task, *args)

    monkeypatch.setattr(papermill, "execute_notebook", run)
    monkeypatch.setattr(report_run, "_render_page", slow_render)
    out = tmp_path / "reports"
    result = report.run_report(
        ws, "2026-10", brands=["alpha"], notebooks_dir=FIXTURE_NOTEBOOKS, reports_dir=out, jobs=1
    )
    assert overlapped == [True]
    assert sorted(started) == ["broken_report", "fixture_report"]
    assert {r.notebook: r.status for r in result.notebooks} == {
        "fixture_report": "ok", "broken_report": "failed"}  # fmt: skip
    for name in started:
        assert (out / "alpha" / "2026-10" / f"{name}.html").is_file()
    assert all(r.duration_s > 0 for r in result.notebooks)


def test_the_index_reads_give_way_to_the_kernels_on_a_lower_priority_thread():
    """On Linux (where a thread has a priority of its own) the finishing thread runs 5 nice
    levels below the process; elsewhere nothing changes."""
    import sys

    seen = {}

    def lowered():
        report_run._yield_to_kernels()
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    t = threading.Thread(target=lowered)
    t.start()
    t.join()
    assert seen["thread"] == (min(19, mine + 5) if sys.platform.startswith("linux") else mine)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # only that thread
