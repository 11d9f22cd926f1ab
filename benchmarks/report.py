"""Benchmark: ``socialnb report`` against the naive floor, and 20 brands with ``--jobs 2``.

Run from the project root::

    .venv/bin/python benchmarks/report.py            # sample month + 20 brands
    .venv/bin/python benchmarks/report.py --brands 0 # sample month only
    .venv/bin/python benchmarks/report.py --scale-only --brands 6 --many /tmp/ws6
                                                     # only the scale rows, on a workspace of
                                                     # brand copies made (and kept) at /tmp/ws6

1. **Floor** (measured in the same run): for as many notebooks as the report runs, the papermill
   CLI then the ``jupyter nbconvert --to html`` CLI, one after the other, on notebooks that only
   import the stack (pandas, seaborn, matplotlib, duckdb, statsmodels, socialnb).
2. **Report**: ``socialnb report --brand fernway --month 2026-10`` as a fresh process (the
   warehouse already holds the sample; the report's own check for new files is timed), default
   ``--jobs`` (the number of cores), and the same with a fresh kernel per notebook
   (``SOCIALNB_KERNEL_REUSE=0``). Goal: report <= 0.4 x floor.
3. **Scale**: N brands (copies of the sample, each with post ids of its own) with ``--jobs 2`` on
   two cores; parallel efficiency = T1 / (2 x T2), T1 the N-brand time with ``--jobs 1`` on ONE
   core (the one-processor time of the textbook definition: with two cores, a ``--jobs 1`` run
   renders pages beside its kernel and is not serial), T2 the time with ``--jobs 2`` on two.
   Also timed: ``--jobs 1`` with both cores, as people run it, the speed-up of ``--jobs 2`` over
   it and the same ratio T / (2 x T2), and how busy ``--jobs 2`` keeps the two cores (its CPU
   time over twice its wall time).
4. **The machine's own ceiling** for that efficiency, in the same run (before and after the
   scale rows): two independent CPU-bound processes (a pure-Python loop), each alone on one
   core, then both at once on two cores; efficiency = (T_a + T_b) / (2 x T_both), the median of
   the rounds. Where two cores share a physical core or a power budget, even jobs that share
   nothing stay below 1; the report's efficiency is also given as a fraction of this ceiling.

Prints a Markdown table for BENCHMARKS.md: wall and CPU time (user + system of every child
process, kernels included), each the median of ``--repeat`` runs, and the load average.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import io
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
MONTH = "2026-10"


def _cpu() -> float:
    """User + system CPU seconds of every finished child (kernels included: the report waits
    for its kernels, so theirs are counted in its children's)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


#: CPU seconds of the last _run / floor call (the wall time is what they return).
LAST_CPU = [0.0]


def _run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, cpus: set[int] | None = None
) -> float:
    """Wall seconds of ``cmd`` (its CPU seconds in ``LAST_CPU``); ``cpus``: the cores it may use
    (its CPU affinity, as ``taskset`` sets it), None for all."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(
        cmd, cwd=cwd, check=False, capture_output=True, text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=None if cpus is None else (lambda: os.sched_setaffinity(0, cpus)),
    )  # fmt: skip
    took = time.perf_counter() - start
    LAST_CPU[0] = _cpu() - cpu
    if done.returncode != 0:  # a failed notebook still renders: time it, but say so
        print(f"  (exit {done.returncode}: {done.stderr.strip()[-300:]})", file=sys.stderr)
    return took


def _timed(fn, *args, **kw) -> tuple[float, float]:
    """(wall s, CPU s) of one call of ``_run`` or ``floor``."""
    wall = fn(*args, **kw)
    return wall, LAST_CPU[0]


def _report_cmd(workspace: Path, reports: Path, *extra: str) -> list[str]:
    """``socialnb report`` as people run it (the console script), quiet; ``extra``: brand slugs
    and ``-jN``."""
    brands = [f"--brand={a}" for a in extra if not a.startswith("-j")]
    jobs = [a for a in extra if a.startswith("-j")]
    return [
        str(BIN / "socialnb"), "report", "--workspace", str(workspace), "--reports", str(reports),
        "--month", MONTH, "--quiet", *brands, *jobs,
    ]  # fmt: skip


_POST_ID = re.compile(rb"(?<![0-9])([0-9])([0-9]{2})([0-9]{12,17})(?![0-9])")


def _rekey(data: bytes, i: int) -> bytes:
    """Shift digits 2-3 of every 15-20 digit number (post ids) by ``i`` (< 100): the copy's
    ids collide with no other copy's."""
    return _POST_ID.sub(lambda m: m[1] + b"%02d" % ((int(m[2]) + i) % 100) + m[3], data)


def _copy_brand(src: Path, dest: Path, i: int) -> None:
    """A copy of the sample brand whose post ids (in every export, the calendar and the content
    tests) differ from the other copies', as two real brands' ids do."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.duckdb*"))
    if i == 0:
        return
    # The warehouse loads a file's bytes once (in any brand), so every file must differ too:
    # a zip comment, or trailing blank lines, which every reader skips.
    for path in dest.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix.lower() in (".zip", ".xlsx"):
            buf = io.BytesIO()
            with (
                zipfile.ZipFile(path) as zin,
                zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout,
            ):
                for item in zin.infolist():
                    zout.writestr(item, _rekey(zin.read(item.filename), i))
                zout.comment = f"benchmark brand {i}".encode()
            path.write_bytes(buf.getvalue())
        elif path.suffix.lower() in (".csv", ".yaml", ".txt"):
            data = _rekey(path.read_bytes(), i)
            utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
            blank = (
                "\n".encode("utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be")
                if utf16
                else b"\n"
            )
            path.write_bytes(data + blank * i)


def _copies_by_sql(src: Path, dest: Path, n: int) -> None:
    """``n`` byte-identical copies of the sample brand, the first ingested, the others' warehouse
    rows copied from it in SQL with their own brand key (every key holds the brand, so the copies'
    rows never meet): the same warehouse as ingesting every copy, in seconds instead of the
    minutes 20 ingests take. The report's check for new exports finds every copy's files loaded
    (same bytes, same hashes, in ``ingest_log`` under each brand)."""
    import duckdb

    from socialnb import Workspace

    for i in range(n):
        shutil.copytree(src, dest / f"brand{i:02d}", ignore=shutil.ignore_patterns("*.duckdb*"))
    first = "brand00"
    Workspace(dest).ingest(brand=first)
    con = duckdb.connect(str(dest / "warehouse.duckdb"))
    try:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.columns JOIN information_schema.tables "
                "USING (table_schema, table_name) WHERE column_name = 'brand' "
                "AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        con.execute("BEGIN")
        for i in range(1, n):
            brand = f"brand{i:02d}"
            for table in tables:
                cols = [c for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position", [table]).fetchall()]  # fmt: skip
                exprs = ", ".join(
                    "?" if c == "brand"
                    else f"regexp_replace({c}, '^{first}/', '{brand}/')" if c == "source_file"
                    else c
                    for c in cols
                )  # fmt: skip
                con.execute(
                    f"INSERT INTO {table} SELECT {exprs} FROM {table} WHERE brand = ?",
                    [brand, first],
                )
        con.execute("COMMIT")
    finally:
        con.close()
    again = Workspace(dest).ingest()
    assert not again.loaded and not again.rejected, again  # every copy's files are known


def _same_pages(reports: Path, n: int) -> None:
    """Every copy's pages ran ok and recorded the same results as the first copy's (the copies
    are the same work, so the scale rows compare like with like)."""
    import json

    def results(brand: str) -> dict:
        summary = json.loads((reports / brand / MONTH / "summary.json").read_text())
        pages = {k: v for k, v in summary.items() if not k.startswith("_")}
        assert all(p["status"] == "ok" for p in pages.values()), (brand, pages)
        return {k: v.get("results") for k, v in pages.items()}

    first = results("brand00")
    for i in range(1, n):
        assert results(f"brand{i:02d}") == first, f"brand{i:02d} differs from brand00"


def _floor_notebook(path: Path) -> None:
    params = new_code_cell(
        'workspace: str = "data"\nbrand: str = "fernway"\nmonth: str = "2026-10"'
    )
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(
        cells=[
            params,
            new_code_cell(
                # socialnb.workspace and .ingest: what `import socialnb` imported before its
                # names became lazy, so the floor does the same work as in earlier runs
                "import duckdb\nimport matplotlib.pyplot as plt\nimport pandas as pd\n"
                "import seaborn as sns\nimport statsmodels.api as sm\n\n"
                "import socialnb\nimport socialnb.ingest\nimport socialnb.workspace"
            ),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, path)


def floor(n: int, tmp: Path) -> float:
    """papermill CLI + nbconvert CLI over ``n`` import-only notebooks, sequentially."""
    src = tmp / "floor.ipynb"
    _floor_notebook(src)
    cpu, start = _cpu(), time.perf_counter()
    for i in range(n):
        out = tmp / f"floor_out_{i}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(src),
                str(out),
                "-p",
                "brand",
                "fernway",
                "--no-progress-bar",
            ],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    LAST_CPU[0] = _cpu() - cpu
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brands", type=int, default=20, help="brands for the scale run (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scale-only", action="store_true", help="only the N-brand rows (no floor, no sample)"
    )
    parser.add_argument(
        "--many",
        type=Path,
        help="workspace for the N-brand rows: reused when it holds N brands, else made there "
        "and kept (the copies' ingest takes minutes)",
    )
    parser.add_argument(
        "--ingest-copies",
        action="store_true",
        help="make the N-brand workspace by ingesting N re-keyed copies (minutes) instead of "
        "copying the first copy's warehouse rows in SQL",
    )
    args = parser.parse_args()
    # bytecode as after a first run, whatever PYTHONDONTWRITEBYTECODE says (else every kernel
    # compiles the modules changed since the last run, in the report and the floor alike)
    compileall.compile_dir(ROOT / "socialnb", quiet=1)

    from socialnb import Workspace
    from socialnb.report import discover_notebooks

    if importlib.util.find_spec("jupyterlab") is not None:
        print(
            "note: this environment has JupyterLab (the `lab` extra, `make lab`). Its jsonschema "
            "format checkers make every `import nbformat` about 0.8 s slower, which inflates the "
            "floor (two CLI starts a notebook) far more than the report (one). Compare figures "
            "measured in an environment as `make` builds it, without the extra.",
            file=sys.stderr,
        )

    n_notebooks = len(discover_notebooks(ROOT / "notebooks"))
    tmp = Path(tempfile.mkdtemp(prefix="socialnb-bench-"))
    try:
        ws = tmp / "data"
        shutil.copytree(
            ROOT / "data" / "fernway", ws / "fernway", ignore=shutil.ignore_patterns("*.duckdb*")
        )
        Workspace(ws).ingest()
        env_cwd = ROOT  # notebooks/ is found from the project root

        floors, reports, fresh = [], [], []
        loads = [os.getloadavg()[0]]
        for _ in range(0 if args.scale_only else args.repeat):
            floors.append(_timed(floor, n_notebooks, tmp))
            reports.append(_timed(_run, _report_cmd(ws, tmp / "reports"), env_cwd))
            # the same report with a fresh kernel per notebook (as before warm kernels)
            fresh.append(
                _timed(
                    _run,
                    _report_cmd(ws, tmp / "reports-fresh"),
                    env_cwd,
                    env={"SOCIALNB_KERNEL_REUSE": "0"},
                )
            )
            loads.append(os.getloadavg()[0])
        rows = [] if args.scale_only else _sample_rows(floors, reports, fresh, n_notebooks)
        if args.brands:
            rows += _scale_rows(args, ws, tmp, env_cwd, n_notebooks, loads)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {args.repeat} runs (the N-brand runs once each); load average (1 min) "
        f"{min(loads):.1f}-{max(loads):.1f} during the runs.\n"
    )
    print("| run | notebooks | time | CPU | ratio to floor | CPU ratio |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _sample_rows(floors, reports, fresh, n_notebooks) -> list[tuple[str, ...]]:
    """The floor, the sample report (warm kernels) and the same with fresh kernels."""
    print("runs (wall, CPU s): floor", floors, "report", reports, "fresh kernels", fresh,
          file=sys.stderr)  # fmt: skip
    f, fc = (statistics.median(x) for x in zip(*floors, strict=True))
    rows = [
        ("floor: papermill CLI + nbconvert CLI, import-only notebooks, sequential",
         f"{n_notebooks}", f"{f:.1f} s", f"{fc:.1f} s", "1.00", "1.00"),
    ]  # fmt: skip
    for label, runs in (
        (f"socialnb report, sample month, --jobs {os.cpu_count()} (default)", reports),
        ("the same, a fresh kernel per notebook (SOCIALNB_KERNEL_REUSE=0)", fresh),
    ):
        r, rc = (statistics.median(x) for x in zip(*runs, strict=True))
        rows.append((label, f"{n_notebooks}", f"{r:.1f} s", f"{rc:.1f} s", f"{r / f:.2f}",
                     f"{rc / fc:.2f}"))  # fmt: skip
    return rows


_LOOP = "import time\nt = time.perf_counter()\ns = 0\nfor i in range(12_000_000):\n    s += i * i\nprint(time.perf_counter() - t)"


def _loop(cpus: set[int]) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-c", _LOOP], stdout=subprocess.PIPE, text=True,
        preexec_fn=lambda: os.sched_setaffinity(0, cpus),
    )  # fmt: skip


def ceiling(two: set[int], rounds: int) -> list[float]:
    """Parallel efficiency of two independent CPU-bound processes on the cores ``two``, one
    figure per round: (T_a + T_b) / (2 x T_both), each alone on one core then both at once."""
    a, b = sorted(two)
    out = []
    for _ in range(rounds):
        alone = [float(_loop({c}).communicate()[0]) for c in (a, b)]
        both = [_loop({a}), _loop({b})]
        out.append(sum(alone) / (2 * max(float(p.communicate()[0]) for p in both)))
    return out


def _scale_rows(args, ws, tmp, env_cwd, n_notebooks, loads) -> list[tuple[str, ...]]:
    """N brands with --jobs 1 and --jobs 2: the parallel efficiency."""
    from socialnb import Workspace

    one = onec = None
    if not args.scale_only:
        ones = [
            _timed(_run, _report_cmd(ws, tmp / "reports1", "fernway", "-j1"), env_cwd)
            for _ in range(args.repeat)
        ]
        one, onec = (statistics.median(x) for x in zip(*ones, strict=True))
    many_ws = args.many or tmp / "many"
    if len(list(many_ws.glob("*/brand.yaml"))) != args.brands:
        shutil.rmtree(many_ws, ignore_errors=True)
        if args.ingest_copies:
            for i in range(args.brands):
                _copy_brand(ROOT / "data" / "fernway", many_ws / f"brand{i:02d}", i)
            Workspace(many_ws).ingest()
        else:
            _copies_by_sql(ROOT / "data" / "fernway", many_ws, args.brands)
        print(f"{args.brands} brands ready", file=sys.stderr)
    two = set(sorted(os.sched_getaffinity(0))[:2])
    ceilings = ceiling(two, 5)
    many, manyc = _timed(_run, _report_cmd(many_ws, tmp / "reports-many", "-j2"), env_cwd,
                         cpus=two)  # fmt: skip
    loads.append(os.getloadavg()[0])
    _same_pages(tmp / "reports-many", args.brands)
    serial, serialc = _timed(_run, _report_cmd(many_ws, tmp / "reports-many1", "-j1"), env_cwd,
                             cpus={min(two)})  # fmt: skip
    loads.append(os.getloadavg()[0])
    efficiency = serial / (2 * many)
    # --jobs 1 with both cores, as people run it: the parent renders pages beside the kernel
    free, free_c = _timed(_run, _report_cmd(many_ws, tmp / "reports-many1u", "-j1"), env_cwd,
                          cpus=two)  # fmt: skip
    loads.append(os.getloadavg()[0])
    ceilings += ceiling(two, 5)
    machine = statistics.median(ceilings)
    print("machine ceiling per round:", [round(c, 2) for c in ceilings], file=sys.stderr)
    rows = []
    if one is not None:
        rows.append(("socialnb report, 1 brand, --jobs 1", f"{n_notebooks}", f"{one:.1f} s",
                     f"{onec:.1f} s", "", ""))  # fmt: skip
    rows += [
        (
            f"socialnb report, {args.brands} brands, --jobs 1, on one core",
            f"{args.brands * n_notebooks}",
            f"{serial:.1f} s",
            f"{serialc:.1f} s",
            "serial baseline (one processor)",
            "",
        ),
        (
            f"socialnb report, {args.brands} brands, --jobs 2",
            f"{args.brands * n_notebooks}",
            f"{many:.1f} s",
            f"{manyc:.1f} s",
            f"parallel efficiency {efficiency:.2f} ({efficiency / machine:.2f} of the machine's)",
            "",
        ),
        (
            "two independent CPU-bound processes (a Python loop), alone then at once, "
            f"{len(ceilings)} rounds",
            "",
            "",
            "",
            f"the machine's ceiling: parallel efficiency {machine:.2f} (median; rounds "
            f"{min(ceilings):.2f}-{max(ceilings):.2f})",
            "",
        ),
    ]
    rows.append((
        f"socialnb report, {args.brands} brands, --jobs 1, on two cores",
        f"{args.brands * n_notebooks}", f"{free:.1f} s", f"{free_c:.1f} s",
        f"--jobs 2 is {free / many:.2f}x faster (T/(2 x T2) = {free / (2 * many):.2f}); "
        f"--jobs 2 keeps the cores {manyc / (2 * many):.0%} busy", "",
    ))  # fmt: skip
    return rows


if __name__ == "__main__":
    main()
