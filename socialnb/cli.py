"""The ``socialnb`` command.

Exit codes a scheduler can trust: 0 when everything worked; 1 when some input was rejected or a
notebook failed (the rest was still done); 2 for a usage or configuration error (nothing done).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from .errors import ConfigError, ParameterError, SocialnbError

__all__ = ["main", "report_command"]


def _workspace_option(help: str = "The workspace: one folder per brand, and the warehouse."):
    """The ``--workspace/-w`` option every command takes."""
    return click.option(
        "--workspace",
        "-w",
        default="data",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


def _fail(exc: SocialnbError) -> None:
    click.secho(f"error: {exc}", fg="red", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="socialnb")
def main() -> None:
    """socialnb: run organic social media as a product.

    Typical month: drop the platforms' exports into data/<brand>/raw/, then run
    `socialnb report` (which ingests new files first).
    """


def run() -> None:
    """The ``socialnb`` command (the console script): :func:`main`, and at exit no final garbage
    collection of everything a run imported (pandas, matplotlib, jupyter_client...), which takes
    ~0.2 s and frees nothing the ending process needs (atexit handlers still run)."""
    import atexit
    import gc

    atexit.register(gc.freeze)  # registered first, so it runs after every other exit handler
    main()


@main.command()
@_workspace_option("Workspace folder to write the sample brand into.")
@click.option(
    "--brand", default="fernway", show_default=True, help="Folder name (slug) of the sample brand."
)
@click.option("--force", is_flag=True, help="Overwrite the brand folder if it exists.")
def sample(workspace: Path, brand: str, force: bool) -> None:
    """Write the fictional sample brand as real-format platform exports."""
    from .sample import write_sample

    try:
        workspace.mkdir(parents=True, exist_ok=True)
        folder = write_sample(workspace, brand=brand, overwrite=force)
    except SocialnbError as exc:
        _fail(exc)
    click.echo(f"sample brand written to {folder}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_workspace_option()
@click.option("--brand", help="Only this brand (and attribute PATHS outside the workspace to it).")
@click.option(
    "--rebuild", is_flag=True, help="Recreate the warehouse from every brand's raw/ folder."
)
@click.option(
    "--mapping",
    "-m",
    help="YAML mapping (file or shipped name) for hand-made spreadsheets in PATHS.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only problems and the totals, no progress bar."
)
def ingest(
    paths: tuple[Path, ...],
    workspace: Path,
    brand: str | None,
    rebuild: bool,
    mapping: str | None,
    quiet: bool,
) -> None:
    """Load new raw exports into the warehouse.

    Without PATHS, every new file under data/<brand>/raw/ is loaded. Files already loaded (same
    bytes) are skipped. A file that cannot be read is rejected whole, with the reason, and the
    warehouse is left as it was; the command then exits 1, as it does when two downloads with the
    same export time cannot be ordered (it says what to do). The brands' plan files are checked
    first: a mistake there is an error (exit 2) and nothing is loaded.
    """
    from .report import choose_brands
    from .workspace import Workspace

    try:
        ws = Workspace(workspace)
        if brand is not None:
            choose_brands(workspace, [brand])
        if rebuild and paths:
            raise click.UsageError("--rebuild reloads every raw/ folder; give no PATHS with it.")
        if mapping and not paths:
            raise click.UsageError("--mapping applies to the files you name: give PATHS with it.")
        report = ws.ingest(
            list(paths) or None, brand=brand, progress=not quiet, rebuild=rebuild, mapping=mapping
        )
    except SocialnbError as exc:
        _fail(exc)
    for f in () if quiet else report.loaded:
        note = f"; {f.message}" if f.message and not f.ambiguous else ""
        held = f", {f.superseded} superseded" if f.superseded else ""
        click.echo(f"loaded   {f.path} ({f.format}, {f.rows} rows current{held}{note})")
    skipped = len(report.files) - len(report.loaded) - len(report.rejected)
    click.echo(
        f"{len(report.loaded)} loaded, {skipped} already in the warehouse, {len(report.rejected)} rejected"
    )
    for f in report.rejected:
        click.secho(f"rejected {f.message}", fg="red", err=True)
    for f in report.ambiguous:
        click.secho(f"undecided {f.path}: {f.message}", fg="yellow", err=True)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--brand", "-b", required=True, help="Folder name (slug) of the brand.")
@_workspace_option()
@click.option("--timezone", "-t", help="The brand's IANA time zone, e.g. Europe/London.")
@click.option("--name", help="The brand's display name (default: the slug, capitalised).")
def init(brand: str, workspace: Path, timezone: str | None, name: str | None) -> None:
    """Start a brand: brand.yaml from the exports in data/<brand>/raw/, and starter plan files.

    Reads every export already in data/<brand>/raw/ (platforms and accounts), writes brand.yaml
    and calendar.csv, ideas.csv and experiments.yaml with their columns and one example row
    each (marked so that no report counts it). An existing file is never overwritten.
    """
    from .scaffold import init_brand

    def ask() -> str | None:
        if not sys.stdin.isatty():
            return None
        click.echo(
            "Meta exports (Facebook, Instagram) write local times without a zone, so socialnb "
            "needs the brand's time zone."
        )
        return click.prompt(
            "Time zone of the brand (IANA name, e.g. Europe/London; Enter for UTC)",
            default="",
            show_default=False,
        )

    try:
        result = init_brand(workspace, brand, timezone=timezone, name=name, ask_timezone=ask)
    except SocialnbError as exc:
        _fail(exc)
    frame = result.to_frame()
    read = frame[frame["problem"].isna()]
    for platform, files in read.groupby("platform", sort=True):
        kinds = ", ".join(f"{n} {k}" for k, n in files["kind"].value_counts().sort_index().items())
        accounts = result.platforms.get(platform, ())
        named = f"; account {', '.join(accounts)}" if accounts else "; no account named"
        click.echo(f"found    {platform}: {len(files)} file(s) ({kinds}){named}")
    for path in result.written:
        click.echo(f"wrote    {path}")
    for path in result.skipped:
        click.echo(f"skipped  {path} (it exists; nothing changed)")
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    months = result.months
    month = months[-1] if months else "YYYY-MM"
    span = f" (the exports have posts from {months[0]} to {months[-1]})" if months else ""
    click.echo(
        f"next: check {workspace / brand / 'brand.yaml'}, then run `socialnb report --brand {brand}"
        f" --month {month}`{span}."
    )


@main.command()
def formats() -> None:
    """List the export formats socialnb recognises."""
    from .ingest import formats as list_formats

    for row in list_formats().itertuples():
        click.echo(f"{row.platform:10} {row.kind:6} {row.id:28} {row.description}")


@main.command()
@click.option("--month", "-m", help="Month to report, YYYY-MM (default: the last complete month).")
@click.option(
    "--brand", "-b", "brands", multiple=True, help="Brand slug (repeatable; default: every brand)."
)
@_workspace_option()
@click.option(
    "--reports",
    "-o",
    "reports_dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where rendered reports go.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Notebooks run at once (default: the cores this process may use).",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    help="Seconds allowed per notebook cell.",
)
@click.option("--with-code", is_flag=True, help="Include code cells in the HTML.")
@click.option(
    "--notebook",
    "-n",
    "notebooks",
    multiple=True,
    help="Only these report notebooks (name without .ipynb).",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Extra notebook parameter (validated against each notebook's parameters cell).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only problems (each once) and the final path."
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also write one PDF per month (index first, then every page) with headless Chromium.",
)
def report(
    month, brands, workspace, reports_dir, jobs, timeout, with_code, notebooks, params, quiet, pdf
) -> None:
    """Ingest new exports, run every report notebook, and render self-contained HTML.

    Writes reports/<brand>/<YYYY-MM>/ atomically (index.html, one page per notebook,
    summary.json) and prints the index's path; with --pdf also <brand>-<month>.pdf there.
    -n NAME re-runs those notebooks and keeps the month's other pages. Exits 1 if any notebook failed (its page says
    which section failed, why and what to do), 2 before any notebook ran on a usage error, an
    unknown brand, an invalid brand.yaml, or a month with nothing to report (in the future,
    after the brand's newest export, or without any post of the brand).
    """
    try:
        code = report_command(
            month=month,
            brands=list(brands) or None,
            workspace=workspace,
            reports_dir=reports_dir,
            jobs=jobs,
            timeout=timeout,
            with_code=with_code,
            notebooks=list(notebooks) or None,
            params=list(params),
            progress=not quiet,
            quiet=quiet,
            pdf=pdf,
        )
    except SocialnbError as exc:
        _fail(exc)
    sys.exit(code)


def _parse_param_options(pairs: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(
                f"-p {pair!r}: write parameters as NAME=VALUE (or NOTEBOOK.NAME=VALUE), "
                "e.g. -p alpha=0.1 -p ideation.capacity_hours=30."
            )
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def report_command(
    *,
    workspace: str | Path = "data",
    month: str | None = None,
    brands: Iterable[str] | None = (),
    notebooks: Iterable[str] | None = None,
    notebooks_dir: str | Path | None = None,
    reports_dir: str | Path = "reports",
    jobs: int | None = None,
    timeout: int = 600,
    params: Iterable[str] = (),
    with_code: bool = False,
    ingest: bool = True,
    progress: bool = True,
    quiet: bool = False,
    pdf: bool = False,
    echo: Callable[[str], None] | None = None,
) -> int:
    """Body of ``socialnb report``: run, print a summary, and return the exit code.

    Returns 0 when every notebook ran; 1 when any failed (each failure printed once, with
    notebook and section, after the run); 2 on invalid input (parameters, month, brand,
    brand.yaml), a month with nothing to report (see :func:`check_reportable`) before any
    notebook ran, or ``pdf`` without a Chromium to print with. ``quiet`` prints only problems
    and the final path; ``pdf`` also writes ``<brand>-<month>.pdf`` beside each month's index
    (see :func:`write_pdf`).
    """
    from . import _zygote

    _zygote.prestart(jobs)  # the kernels' imports start now, beside the report's own
    try:
        from .report import find_chromium, run_report, write_pdf

        if echo is None:

            def echo(msg: str) -> None:
                click.echo(msg, err=msg.startswith(("FAILED", "error", "ingest")))

        if pdf:
            try:
                find_chromium()
            except ParameterError as exc:
                echo(f"error: {exc}")
                return 2

        def during(msg: str, shout: Callable[[str], None] = echo) -> None:
            if not msg.startswith("FAILED"):  # failures are listed once, after the run
                shout(msg)

        try:
            result = run_report(
                workspace,
                month,
                brands=list(brands or ()) or None,
                notebooks_dir=notebooks_dir,
                only=list(notebooks or ()) or None,
                reports_dir=reports_dir,
                jobs=jobs,
                timeout=timeout,
                parameters=_parse_param_options(params),
                parameters_from_text=True,
                with_code=with_code,
                ingest=ingest,
                progress=progress and not quiet,
                echo=during,
            )
        except (ParameterError, ConfigError) as exc:
            echo(f"error: {exc}")
            return 2
        code = _say_outcome(result, quiet, echo)
        if pdf:
            for path in result.index_paths.values():
                try:
                    written = write_pdf(path.parent)
                except SocialnbError as exc:
                    echo(f"error: {exc}")
                    return 2
                if not quiet:
                    echo(f"PDF -> {written}")
        if len(result.index_paths) == 1:
            echo(str(next(iter(result.index_paths.values()))))
        else:
            echo(str(result.top_index))
        return code
    finally:
        _zygote.discard()  # a run refused before its kernels started adopted none


def _say_outcome(result: Any, quiet: bool, echo: Callable[[str], None]) -> int:
    """Each brand's pages (unless ``quiet``), then every failure once; the exit code (0 or 1)."""
    if not quiet:
        for brand, path in result.index_paths.items():
            n = sum(1 for r in result.notebooks if r.brand == brand)
            bad = sum(1 for r in result.notebooks if r.brand == brand and not r.ok)
            echo(f"{brand} {result.month}: {n - bad}/{n} notebooks ok -> {path}")
    if not result.failures:
        return 0
    echo(f"FAILED {len(result.failures)} notebook(s):")
    for r in result.failures:
        echo(f"FAILED   {r.describe_failure()}")
    return 1


if __name__ == "__main__":  # pragma: no cover
    main()
