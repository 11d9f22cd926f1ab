"""Ingest speed: socialnb's Workspace.ingest of a Meta Facebook content export against DuckDB's own
``read_csv`` of the same file, in the same run, each in a fresh child process (peak memory from
``resource.getrusage`` of the child).

Usage::

    .venv/bin/python benchmarks/ingest.py                 # 100,000 and 1,000,000 rows
    .venv/bin/python benchmarks/ingest.py --rows 20000    # one size only

Prints a Markdown table (rows, file MB, DuckDB s, socialnb s, wall-clock ratio, CPU seconds of
each child (user + system, less sensitive to other jobs on the machine) and their ratio, peak MiB).
The socialnb child also checks, after the clock, that every row's ``source_row`` is its line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

HEADER = (
    '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",'
    'Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status",'
    '"Data comment",Date,Views,"Views from Organic posts","Views from Boosted posts",Reach,'
    '"Reach from Organic posts","Reach from Boosted posts","3-second video views","1-minute video views",'
    '"Reactions, Comments and Shares",Reactions,Comments,Shares,"Seconds viewed","Average Seconds viewed",'
    '"Total clicks","Link Clicks"'
)
TYPES = np.array(["Photos", "Videos", "Reels", "Links"])


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A Meta Business Suite Facebook content export (UTF-8 with BOM) of ``rows`` posts."""
    rng = np.random.default_rng(seed)
    chunk = 100_000
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff" + HEADER + "\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = 1_000_000_000_000_000 + np.arange(start, start + n, dtype=np.int64) * 7919
            minutes = rng.integers(0, 60 * 24 * 365, n)
            ts = (np.datetime64("2025-01-01T00:00") + minutes.astype("timedelta64[m]")).astype(str)
            when = [f"{t[5:7]}/{t[8:10]}/{t[0:4]} {t[11:16]}" for t in ts]
            views = rng.integers(100, 50_000, n)
            reach = (views * 0.7).astype(np.int64)
            reac = rng.integers(0, 500, n)
            com = rng.integers(0, 50, n)
            sh = rng.integers(0, 40, n)
            clicks = rng.integers(0, 300, n)
            kinds = TYPES[rng.integers(0, 4, n)]
            lines = [
                f'{i},104857396021573,"Fernway Outdoor Co.","Post {i}: a caption, with ""quotes""",,0,"{w}",N/A,'
                f"https://www.facebook.com/104857396021573/posts/pfbid{i},No,No,{k},,,,,Lifetime,{v},{v},,{r},{r},,"
                f",,{a + b + c},{a},{b},{c},,,{cl},{cl // 2}\n"
                for i, w, k, v, r, a, b, c, cl in zip(
                    ids, when, kinds, views, reach, reac, com, sh, clicks, strict=True
                )
            ]
            fh.writelines(lines)


_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    what, path, work = sys.argv[1], sys.argv[2], sys.argv[3]
    t0 = time.perf_counter()
    if what == "duckdb":
        import duckdb
        con = duckdb.connect(work + "/duck.duckdb")
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        n = con.execute("SELECT count(*) FROM t").fetchone()[0]
        con.close()
    else:
        import socialnb
        import os
        os.makedirs(work + "/bench", exist_ok=True)
        with open(work + "/bench/brand.yaml", "w") as fh:
            fh.write("name: Bench\\ntimezone: UTC\\n")
        report = socialnb.Workspace(work).ingest([path], brand="bench")
        assert report.ok, str(report)
        n = report.loaded[0].rows
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    if what != "duckdb":  # after the clock: every row at its physical line (ids follow the lines)
        con = socialnb.Workspace(work).connect()
        wrong = con.execute(
            "SELECT count(*) FROM post_snapshots WHERE source_row <> "
            "2 + (post_id::BIGINT - 1000000000000000) // 7919"
        ).fetchone()[0]
        con.close()
        assert wrong == 0, wrong
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": n, "peak_mib": peak}))
    """
)


def run(what: str, path: Path) -> dict:
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, what, str(path), work],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, action="append", help="rows (repeatable); default 100000 and 1000000"
    )
    args = parser.parse_args()
    sizes = args.rows or [100_000, 1_000_000]
    print(
        "| rows | file MB | DuckDB read_csv s | socialnb ingest s | ratio | CPU s DuckDB / socialnb "
        "| CPU ratio | socialnb peak MiB | DuckDB peak MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"Jan-01-2025_Dec-31-2025_{rows}.csv"
            generate(path, rows)
            duck = run("duckdb", path)
            ours = run("socialnb", path)
            assert ours["rows"] == duck["rows"] == rows, (ours, duck)
            print(
                f"| {rows:,} | {path.stat().st_size / 1e6:,.0f} | {duck['seconds']:.2f} | {ours['seconds']:.2f} | "
                f"{ours['seconds'] / duck['seconds']:.2f} | {duck['cpu']:.2f} / {ours['cpu']:.2f} | "
                f"{ours['cpu'] / duck['cpu']:.2f} | {ours['peak_mib']:,.0f} | {duck['peak_mib']:,.0f} |",
                flush=True,
            )
            path.unlink()


if __name__ == "__main__":
    main()
