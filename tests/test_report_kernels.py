"""Warm kernels: a notebook run in a reused kernel meets the state of a fresh kernel, and a
failed notebook never reaches the next one (``SOCIALNB_KERNEL_REUSE=0`` runs a fresh kernel per
notebook, the reference these tests compare with)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from test_report import _workspace

from socialnb import report

PARAMETERS = 'workspace: str = "data"\nbrand: str = "demo"\nmonth: str = "2026-10"'

# What a notebook can leave behind in its kernel: globals, library settings, figures, the
# working folder, the module search path, warning filters, numpy's error mode, module state.
# Its imports come first, as in every report notebook (a library's import adds its own warning
# filters; a filter set before that import would be ordered otherwise in a fresh kernel).
DIRTY = """\
import os, sys, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, numpy as np, pandas as pd
import seaborn, statsmodels.api, scipy.stats, duckdb
import socialnb
from socialnb import plots
plots.use_style()
leak = 1
pd.set_option("display.max_rows", 3)
mpl.rcParams["lines.linewidth"] = 9
plt.figure()
warnings.simplefilter("error")
sys.path.append("/nowhere")
np.seterr(all="raise")
os.chdir("/")
socialnb._left_behind = True
"""

# The stack a report notebook imports (through socialnb): importing it adds the libraries' own
# warning filters, in a fresh kernel as in a warm one.
STATE = """\
import os, sys, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, numpy as np, pandas as pd
import seaborn, statsmodels.api, scipy.stats, duckdb
import socialnb
from socialnb._record import record
record("state", {
    "globals": sorted(k for k in globals() if not k.startswith("_")),
    "all_names": sorted(globals()),  # the warm-up's own names (_np, _state...) included
    "max_rows": pd.get_option("display.max_rows"),
    "linewidth": mpl.rcParams["lines.linewidth"],
    "figures": plt.get_fignums(),
    "filters": len(warnings.filters),
    "first_filter": warnings.filters[0][0] if warnings.filters else None,
    "nowhere": "/nowhere" in sys.path,
    "np_err": np.geterr(),
    "cwd": os.getcwd(),
    "module_state": [hasattr(socialnb, "_left_behind"), hasattr(socialnb, "_poisoned")],
    "execution_count": get_ipython().execution_count,
})
record("pid", os.getpid())
"""

FAIL = """\
import os
import socialnb
from socialnb._record import record
record("pid", os.getpid())
poison = 1
socialnb._poisoned = True
raise RuntimeError("this notebook fails on purpose")
"""


def _notebook(folder: Path, name: str, order: int, *cells: str) -> None:
    nb = new_notebook(cells=[new_code_cell(PARAMETERS), *(new_code_cell(c) for c in cells)])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["socialnb"] = {"report": True, "order": order}
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same four notebooks run in one worker with warm kernels, then with fresh ones."""
    tmp = tmp_path_factory.mktemp("kernels")
    ws = _workspace(tmp)
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks, "a_dirty", 1, DIRTY, STATE)
    _notebook(notebooks, "b_after_dirty", 2, STATE)
    _notebook(notebooks, "c_fails", 3, FAIL)
    _notebook(notebooks, "d_after_failure", 4, STATE)
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        for reuse in ("1", "0"):
            mp.setenv("SOCIALNB_KERNEL_REUSE", reuse)
            reports = tmp / f"reports-{reuse}"
            report.run_report(
                ws, "2026-10", notebooks_dir=notebooks, reports_dir=reports, jobs=1, echo=print
            )
            out[reuse] = json.loads(
                (reports / "demo" / "2026-10" / "summary.json").read_text(encoding="utf-8")
            )
    return out


def test_a_reused_kernel_is_reused_within_a_worker(runs):
    warm = runs["1"]
    assert warm["a_dirty"]["results"]["pid"] == warm["b_after_dirty"]["results"]["pid"]
    assert warm["b_after_dirty"]["results"]["pid"] == warm["c_fails"]["results"]["pid"]
    fresh = runs["0"]
    assert fresh["a_dirty"]["results"]["pid"] != fresh["b_after_dirty"]["results"]["pid"]


def test_a_notebook_after_another_meets_the_state_of_a_fresh_kernel(runs):
    warm, fresh = runs["1"]["b_after_dirty"], runs["0"]["b_after_dirty"]
    assert warm["status"] == fresh["status"] == "ok"
    assert warm["results"]["state"] == fresh["results"]["state"]
    state = warm["results"]["state"]
    assert state["max_rows"] != 3 and state["linewidth"] != 9 and not state["nowhere"]
    assert state["module_state"] == [False, False] and state["figures"] == []
    assert state["execution_count"] == fresh["results"]["state"]["execution_count"]


def test_a_failed_notebook_does_not_poison_the_next_one(runs):
    warm, fresh = runs["1"], runs["0"]
    assert warm["c_fails"]["status"] == "failed" and "on purpose" in warm["c_fails"]["error"]
    assert warm["c_fails"]["cell"] == fresh["c_fails"]["cell"]
    after = warm["d_after_failure"]
    assert after["status"] == "ok"
    assert after["results"]["pid"] != warm["c_fails"]["results"]["pid"]  # a fresh kernel
    assert after["results"]["state"] == fresh["d_after_failure"]["results"]["state"]
    assert "poison" not in after["results"]["state"]["globals"]


def test_every_notebook_records_the_same_results_warm_or_fresh(runs):
    for name in ("a_dirty", "b_after_dirty", "c_fails", "d_after_failure"):
        warm = {k: v for k, v in runs["1"][name]["results"].items() if k != "pid"}
        fresh = {k: v for k, v in runs["0"][name]["results"].items() if k != "pid"}
        assert warm == fresh, name
        assert runs["1"][name]["status"] == runs["0"][name]["status"], name


@pytest.mark.slow
def test_the_sample_report_has_the_same_results_in_warm_and_fresh_kernels(
    sample_workspace, tmp_path, monkeypatch
):
    summaries = {}
    for reuse in ("1", "0"):
        monkeypatch.setenv("SOCIALNB_KERNEL_REUSE", reuse)
        result = report.run_report(
            sample_workspace,
            "2026-10",
            brands=["fernway"],
            reports_dir=tmp_path / reuse,
            jobs=1,  # every notebook in one warm kernel
            ingest=False,
            echo=print,
        )
        assert result.ok, result.failures
        summaries[reuse] = json.loads(
            (tmp_path / reuse / "fernway" / "2026-10" / "summary.json").read_text(encoding="utf-8")
        )
    names = [k for k in summaries["0"] if not k.startswith("_")]
    assert len(names) >= 4
    for name in names:
        assert summaries["1"][name]["results"] == summaries["0"][name]["results"], name


def test_the_warm_up_imports_every_statsmodels_module_the_analyses_use():
    """Kernels import the statsmodels modules socialnb uses, not all of statsmodels.api: a
    module an analysis imports but the warm-up forgot would cost each notebook its import."""
    import ast
    import importlib.util

    from socialnb._zygote import STATSMODELS_MODULES

    def module_of(base: str, name: str) -> str:  # `from a.b import c`: c may be a module
        full = f"{base}.{name}"
        try:
            return full if importlib.util.find_spec(full) is not None else base
        except ModuleNotFoundError:  # base is a module, not a package: name is an attribute
            return base

    used = set()
    for path in (Path(__file__).resolve().parent.parent / "socialnb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("statsmodels"):
                used |= {module_of(node.module, a.name) for a in node.names}
            elif isinstance(node, ast.Import):
                used |= {a.name for a in node.names if a.name.startswith("statsmodels")}
    assert "statsmodels.genmod.families" in used  # the scan sees `from x import module`
    assert "statsmodels.api" not in used
    assert used <= set(STATSMODELS_MODULES), used - set(STATSMODELS_MODULES)


def test_a_kernels_readiness_is_checked_without_waiting_for_silence():
    """papermill and the warm pool check a kernel is ready before each notebook; the check
    (kernel_info on the shell channel, one message on IOPub) no longer ends by waiting for 0.2 s
    without IOPub messages, and the notebook that follows still gets its own output only."""
    from jupyter_core.utils import run_sync

    from socialnb.report.kernels import _prompt_client, _venv_kernel_manager

    km = _venv_kernel_manager(1)()
    run_sync(km.start_kernel)()
    try:
        kc = km.client()
        assert isinstance(kc, _prompt_client())
        waits: list[float] = []
        get_msg = kc.iopub_channel.get_msg

        async def recorded(*args, **kwargs):
            waits.append(kwargs.get("timeout", args[0] if args else None))
            return await get_msg(*args, **kwargs)

        kc.start_channels()
        kc.iopub_channel.get_msg = recorded
        run_sync(kc.wait_for_ready)(timeout=60)
        # connection checks (one message awaited, up to 0.2 s), then a drain that never waits
        assert 0.01 in waits and max(waits) <= 0.2
        assert max(waits[waits.index(0.01) :]) <= 0.01
        kc.iopub_channel.get_msg = get_msg
        seen: list[str] = []
        reply = run_sync(kc.execute_interactive)(
            "print('mine')", timeout=60,
            output_hook=lambda m: seen.append(m["content"].get("text", "")),
        )  # fmt: skip
        assert reply["content"]["status"] == "ok"
        assert "".join(seen) == "mine\n"
        kc.stop_channels()
    finally:
        run_sync(km.shutdown_kernel)(now=True)


def _zmq_threads_and_open_files() -> tuple[int, int]:
    tasks = Path("/proc/self/task")
    zmq = sum(
        1 for t in tasks.iterdir() if (t / "comm").read_text(encoding="utf-8").startswith("ZMQbg")
    )
    return zmq, len(list(Path("/proc/self/fd").iterdir()))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_a_report_of_many_notebooks_leaves_no_kernel_client_open(tmp_path):
    """Every notebook's kernel client is stopped when it ends: a warm kernel's clients used to
    stay open (nbclient leaves them to whoever owns the kernel), a ZMQ context, three threads and
    ~14 files a notebook, so a report of a few hundred notebooks ran out of file descriptors."""
    import gc

    ws = _workspace(tmp_path)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for i in range(8):
        _notebook(notebooks, f"n{i}", i + 1, "x = 1")
    before = _zmq_threads_and_open_files()
    gc.disable()  # an unreachable client is closed by the garbage collector: not counted on
    try:
        report.run_report(
            ws, "2026-10", notebooks_dir=notebooks, reports_dir=tmp_path / "r", jobs=1, echo=print
        )
        after = _zmq_threads_and_open_files()
    finally:
        gc.enable()
    summary = json.loads((tmp_path / "r" / "demo" / "2026-10" / "summary.json").read_text())
    assert [summary[f"n{i}"]["status"] for i in range(8)] == ["ok"] * 8
    assert after[0] <= before[0] + 2, (before, after)  # not one context per notebook
    assert after[1] <= before[1] + 8, (before, after)
