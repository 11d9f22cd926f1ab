"""Ingest speed: socialnb's Workspace.ingest of a large export against DuckDB's own ``read_csv`` of
the same file, in the same run, each in a fresh child process (peak memory from
``resource.getrusage`` of the child).

Usage::

    .venv/bin/python benchmarks/ingest.py                 # 100,000 and 1,000,000 rows
    .venv/bin/python benchmarks/ingest.py --rows 20000    # one size only
    .venv/bin/python benchmarks/ingest.py --format x      # an X tweet_activity_metrics export
    .venv/bin/python benchmarks/ingest.py --rows 1000000 --repeat 5   # 5 pairs and their medians
    .venv/bin/python benchmarks/ingest.py --rows 1000000 --repeat 12 --against /tmp/old
                        # each round also times the socialnb checked out at /tmp/old (another
                        # version), the two versions' order alternating: a change of 10% needs
                        # a dozen rounds on a noisy machine

``--format meta`` (the default) writes a Meta Facebook content export (the all-SQL load);
``--format x`` an X Analytics tweet_activity_metrics export made of the real DeBruine exports in
``../shared/datasets`` repeated with new tweet ids, and ``--format youtube`` a YouTube Studio
``Table data.csv`` (both on the streaming path).

Prints a Markdown table (rows, file MB, DuckDB s, socialnb s, wall-clock ratio, CPU seconds of
each child (user + system, less sensitive to other jobs on the machine) and their ratio, peak MiB).
The socialnb child also checks, after the clock, that every row's ``source_row`` is its line.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import os
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
#: The real X Analytics exports (Nordmann & DeBruine 2022, CC BY-SA 4.0) the X file is made of.
X_EXPORTS = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "datasets"
    / "twitter_analytics_debruine"
    / "tweet_level"
)
#: Tweet ids of generated X rows: row ``i`` (0-based) gets ``X_ID0 + i * 7919``.
X_ID0 = 1_000_000_000_000_000


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


def x_rows() -> tuple[list[str], list[list[str]]]:
    """The header and every row of the real X tweet exports (40 columns, 3,087 tweets, 839 cells
    with line breaks)."""
    rows: list[list[str]] = []
    header: list[str] = []
    for path in sorted(X_EXPORTS.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            found = list(csv.reader(fh))
        header, rows = found[0], rows + found[1:]
    return header, rows


def generate_x(path: Path, rows: int, seed: int = 1) -> None:
    """An X Analytics tweet_activity_metrics export of ``rows`` tweets: the real exports' rows in
    a seeded random order, each with a new tweet id (:data:`X_ID0` + i * 7919) in its id and
    permalink, written as X writes it (every field quoted, ``\\n`` line ends)."""
    header, source = x_rows()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(source), rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(header)
        for i, pick in enumerate(picks):
            row = list(source[pick])
            new = str(X_ID0 + i * 7919)
            row[1] = row[1].replace(row[0], new)
            row[0] = new
            out.writerow(row)


YT_HEADER = (
    "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers,"
    "Impressions,Impressions click-through rate (%)"
)
_YT_CHARS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))


def generate_youtube(path: Path, rows: int, seed: int = 1) -> None:
    """A YouTube Studio ``Table data.csv`` of ``rows`` videos (a Total row first, as Studio
    writes it); video ``i`` is on line ``i + 3``."""
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(YT_HEADER + "\n")
        fh.write("Total,,,,1000,10.5,3,5000,4.1\n")
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            ids = ["".join(c) for c in _YT_CHARS[rng.integers(0, 64, (n, 11))]]
            days = np.datetime64("2023-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]")
            when = pd_dates(days)
            views = rng.integers(0, 90_000, n)
            hours = np.round(views * rng.uniform(0.01, 0.08, n), 4)
            subs = rng.integers(-3, 40, n)
            imp = views * 9 + rng.integers(0, 500, n)
            ctr = np.round(rng.uniform(1, 12, n), 2)
            secs = rng.integers(20, 3600, n)
            fh.writelines(
                f'{v},"Video {start + k}: a title, with ""quotes""","{w}",{d},{vw},{h},{s},{im},{c}\n'
                for k, (v, w, d, vw, h, s, im, c) in enumerate(
                    zip(ids, when, secs, views, hours, subs, imp, ctr, strict=True)
                )
            )


def pd_dates(days: np.ndarray) -> list[str]:
    """``Dec 15, 2023`` for each day (as Studio writes publish times)."""
    import pandas as pd

    return list(pd.DatetimeIndex(days).strftime("%b %d, %Y"))


#: format -> (generator, file name, records that are not posts: YouTube's Total row)
FORMATS = {
    "meta": (generate, "Jan-01-2025_Dec-31-2025_{rows}.csv", 0),
    "x": (generate_x, "tweet_activity_metrics_bench_20210101_20220101_{rows}_en.csv", 0),
    "youtube": (generate_youtube, "Table data {rows}.csv", 1),
}


_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    what, path, work, fmt = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
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
    if what != "duckdb" and fmt == "meta":  # after the clock: every row at its line
        con = socialnb.Workspace(work).connect()
        wrong = con.execute(
            "SELECT count(*) FROM post_snapshots WHERE source_row <> "
            "2 + (post_id::BIGINT - 1000000000000000) // 7919"
        ).fetchone()[0]
        con.close()
        assert wrong == 0, wrong
    elif what != "duckdb":  # every row at the line where the csv module starts its record
        import csv
        con = socialnb.Workspace(work).connect()
        got = dict(con.execute("SELECT post_id, source_row FROM post_snapshots").fetchall())
        con.close()
        seen = 0
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            prev = reader.line_num
            for record in reader:
                start, prev = prev + 1, reader.line_num
                if record[0].strip() in got:
                    assert got[record[0].strip()] == start, (record[0], start)
                    seen += 1
        assert seen == len(got) == n, (seen, len(got), n)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": n, "peak_mib": peak}))
    """
)


#: The checkout this script belongs to (the socialnb its children import unless told otherwise).
ROOT = Path(__file__).resolve().parents[1]


def run(what: str, path: Path, fmt: str = "meta", source: Path = ROOT) -> dict:
    """One child's figures; ``source``: the checkout whose ``socialnb`` the child imports."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(source), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, what, str(path), work, fmt],
            capture_output=True,
            text=True,
            env=env,
            cwd=work,
        )
    if out.returncode:
        raise SystemExit(f"the {what} child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(duck: dict, ours: dict) -> dict:
    """One pair's columns (the ratios are this pair's)."""
    return {
        "duck_s": duck["seconds"],
        "ours_s": ours["seconds"],
        "ratio": ours["seconds"] / duck["seconds"],
        "duck_cpu": duck["cpu"],
        "ours_cpu": ours["cpu"],
        "cpu_ratio": ours["cpu"] / duck["cpu"],
        "ours_mib": ours["peak_mib"],
        "duck_mib": duck["peak_mib"],
    }


def _line(label: str, path: Path, r: dict) -> str:
    return (
        f"| {label} | {path.stat().st_size / 1e6:,.0f} | {r['duck_s']:.2f} | {r['ours_s']:.2f} | "
        f"{r['ratio']:.2f} | {r['duck_cpu']:.2f} / {r['ours_cpu']:.2f} | {r['cpu_ratio']:.2f} | "
        f"{r['ours_mib']:,.0f} | {r['duck_mib']:,.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, action="append", help="rows (repeatable); default 100000 and 1000000"
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="meta")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="pairs of runs per size (DuckDB then socialnb, each pair on the same file); with 2 "
        "or more, a last row gives the median of each column (ratios: the median of the pairs')",
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="a checkout of another socialnb version: each round also times it (its row after "
        "this tree's, against the same DuckDB run), the two versions' order alternating",
    )
    args = parser.parse_args()
    if args.against is not None and not (args.against / "socialnb" / "__init__.py").is_file():
        parser.error(f"--against {args.against}: not a socialnb checkout (no socialnb/__init__.py)")
    for source in (ROOT, args.against):  # bytecode as after a first run, whatever
        if source is not None:  # PYTHONDONTWRITEBYTECODE says (else each child compiles)
            compileall.compile_dir(source / "socialnb", quiet=1)
    make, name, extra = FORMATS[args.format]
    sizes = args.rows or [100_000, 1_000_000]
    print(
        "| rows | file MB | DuckDB read_csv s | socialnb ingest s | ratio | CPU s DuckDB / socialnb "
        "| CPU ratio | socialnb peak MiB | DuckDB peak MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / name.format(rows=rows)
            make(path, rows)
            pairs, others = [], []
            for i in range(max(1, args.repeat)):
                duck = run("duckdb", path, args.format)
                if args.against is not None and i % 2:
                    other = run("socialnb", path, args.format, args.against)
                ours = run("socialnb", path, args.format)
                if args.against is not None and not i % 2:
                    other = run("socialnb", path, args.format, args.against)
                assert ours["rows"] == duck["rows"] - extra == rows, (ours, duck)
                pairs.append(_row(duck, ours))
                print(_line(f"{rows:,}", path, pairs[-1]), flush=True)
                if args.against is not None:
                    others.append(_row(duck, other))
                    print(_line(f"{rows:,}, {args.against}", path, others[-1]), flush=True)
            for label, runs in (("", pairs), (f", {args.against}", others)):
                if len(runs) > 1:
                    median = {k: float(np.median([p[k] for p in runs])) for k in runs[0]}
                    print(_line(f"median of {len(runs)}{label}", path, median), flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
