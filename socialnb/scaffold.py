"""Start a brand from what it already has: ``socialnb init --brand B``.

:func:`init_brand` reads every export in ``<workspace>/<brand>/raw/`` with the ingest readers
(platforms and accounts as the files name them) and writes, beside ``raw/``:

- ``brand.yaml``: name, time zone, the platforms and accounts found, commented examples of the
  optional keys (cadence, pillars, targets);
- ``calendar.csv``, ``ideas.csv``, ``experiments.yaml``: the right columns (keys) and one example
  row each that every loader accepts and no analysis counts (a calendar row marked ``dropped``
  in sprint 2000-01, an idea marked ``rejected``, a test with status ``planned``).

An existing file is never overwritten: it is listed as skipped, so a second ``init`` changes
nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import CALENDAR_COLUMNS, IDEAS_COLUMNS, PLATFORMS, is_timezone
from .errors import ConfigError, SocialnbError

__all__ = ["DetectedExport", "InitResult", "detect_exports", "init_brand", "STARTER_FILES"]

#: The files ``init`` writes, in the order it writes them.
STARTER_FILES: tuple[str, ...] = ("brand.yaml", "calendar.csv", "ideas.csv", "experiments.yaml")

#: The sprint of the example calendar row: long before any export, so no report counts it.
EXAMPLE_SPRINT = "2000-01"

#: Per platform: its name, and a plausible format, exposure and engagement-rate metric for the
#: example rows (never analysed; they only show what a valid row looks like).
_EXAMPLE = {
    "facebook": ("Facebook", "image", "reach", "er_reach"),
    "instagram": ("Instagram", "reel", "reach", "er_reach"),
    "x": ("X", "text", "impressions", "er_impressions"),
    "linkedin": ("LinkedIn", "text", "impressions", "er_impressions"),
    "tiktok": ("TikTok", "video", "views", "er_views"),
    "youtube": ("YouTube", "video", "views", "er_views"),
}
_PER = {"reach": "reach", "impressions": "impression", "views": "view"}


def _example(platform: str) -> tuple[str, str, str, str]:
    return _EXAMPLE.get(platform, (platform, "image", "impressions", "er_impressions"))


@dataclass(frozen=True)
class DetectedExport:
    """One file of ``raw/`` as the ingest readers see it.

    ``problem`` is set (and the other fields empty) when no reader could read the file.
    """

    path: str  # relative to the brand's raw/ folder
    platform: str | None = None
    kind: str | None = None  # "posts", "daily" or both joined with "+"
    format: str | None = None
    accounts: tuple[str, ...] = ()
    rows: int = 0
    problem: str | None = None
    months: tuple[str, ...] = ()  # months (YYYY-MM, local time) the file has posts in


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_brand` found and wrote."""

    brand: str
    folder: Path
    timezone: str
    timezone_defaulted: bool
    exports: tuple[DetectedExport, ...]
    written: tuple[Path, ...]
    skipped: tuple[Path, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def months(self) -> tuple[str, ...]:
        """Every month (``YYYY-MM``, local time) in which the exports have posts, sorted."""
        return tuple(sorted({m for e in self.exports for m in e.months}))

    @property
    def platforms(self) -> dict[str, tuple[str, ...]]:
        """Platform -> the accounts its exports name (sorted; empty when none is named)."""
        return _accounts_by_platform(self.exports)

    def to_frame(self) -> pd.DataFrame:
        """One row per file of ``raw/``: path, platform, kind, format, accounts, rows, problem."""
        columns = ["path", "platform", "kind", "format", "accounts", "rows", "problem"]
        return pd.DataFrame(
            [
                {
                    "path": e.path,
                    "platform": e.platform,
                    "kind": e.kind,
                    "format": e.format,
                    "accounts": ", ".join(e.accounts),
                    "rows": e.rows,
                    "problem": e.problem,
                }
                for e in self.exports
            ],
            columns=columns,
        )


def detect_exports(raw_folder: str | Path, *, tz: str = "UTC") -> tuple[DetectedExport, ...]:
    """Read every file under ``raw_folder`` with the ingest readers (nothing is stored).

    A sidecar ``<file>.mapping.yaml`` is used as the ingest would. A file no reader recognises
    is listed with its ``problem`` (the reader's message), not raised.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> raw = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (raw / "notes.txt").write_text("not an export")
    >>> found = detect_exports(raw)
    >>> found[0].path, found[0].platform, found[0].problem is not None
    ('notes.txt', None, True)
    """
    from .ingest import load_with_mapping, read_raw
    from .workspace import _files_under

    raw_folder = Path(raw_folder)
    found = []
    for path in _files_under(raw_folder):
        shown = path.relative_to(raw_folder).as_posix()
        try:
            raw, mapping = load_with_mapping(path)
            frames = read_raw(raw, tz=tz, mapping=mapping)
        except SocialnbError as exc:
            found.append(DetectedExport(shown, problem=str(exc).splitlines()[0]))
            continue
        platforms = sorted({str(p) for f in frames for p in f["platform"].dropna().unique()})
        accounts = sorted(
            {
                str(a).strip()
                for f in frames
                if "account" in f
                for a in f["account"].dropna().unique()
                if str(a).strip()
            }
        )
        months = sorted(
            {
                str(m)
                for f in frames
                if f.attrs.get("kind") == "posts" and "published_local" in f
                for m in pd.to_datetime(f["published_local"]).dt.strftime("%Y-%m").dropna()
            }
        )
        found.append(
            DetectedExport(
                shown,
                platform="+".join(platforms) or None,
                kind="+".join(dict.fromkeys(f.attrs.get("kind", "") for f in frames)),
                format="+".join(dict.fromkeys(f.attrs.get("format", "") for f in frames)),
                accounts=tuple(accounts),
                rows=int(sum(len(f) for f in frames)),
                months=tuple(months),
            )
        )
    return tuple(found)


def _accounts_by_platform(exports: tuple[DetectedExport, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    for e in exports:
        if e.platform is None:
            continue
        for platform in e.platform.split("+"):
            out.setdefault(platform, set()).update(e.accounts)
    order = {p: i for i, p in enumerate(PLATFORMS)}
    return {p: tuple(sorted(out[p])) for p in sorted(out, key=lambda p: order.get(p, 99))}


def _q(text: str) -> str:
    """A YAML scalar for any text (a JSON string is a valid double-quoted YAML scalar)."""
    return json.dumps(str(text), ensure_ascii=False)


def _brand_yaml(
    name: str,
    timezone: str,
    defaulted: bool,
    platforms: dict[str, tuple[str, ...]],
    exports: tuple[DetectedExport, ...],
) -> str:
    today = dt.date.today().isoformat()
    lines = [
        f"# {name}: written by `socialnb init` on {today} from the exports in raw/.",
        "# Check the lines marked CHECK; keys: README, 'Workspace files'.",
        f"name: {_q(name)}",
        "# The brand's local time zone (IANA name). Meta exports (Facebook, Instagram) write",
        "# local times without a zone: a wrong zone moves posts to other days and months.",
    ]
    zone_line = f"timezone: {_q(timezone)}"
    if defaulted:
        zone_line += "  # CHECK: defaulted to UTC; write the brand's zone, e.g. Europe/London"
    lines += [zone_line, "sprint_length: month"]
    if platforms:
        lines.append("# The platforms and accounts the exports in raw/ name.")
        lines.append("platforms:")
        for platform, accounts in platforms.items():
            n = sum(1 for e in exports if e.platform and platform in e.platform.split("+"))
            files = f"{n} file{'s' if n != 1 else ''}"
            if len(accounts) == 1:
                lines.append(f"  {platform}: {{account: {_q(accounts[0])}}}  # from {files}")
            elif not accounts:
                lines.append(
                    f"  {platform}: {{}}  # CHECK: {files}, none names the account; "
                    "write {account: ...}"
                )
            else:
                listed = ", ".join(accounts)
                lines.append(
                    f"  {platform}: {{}}  # CHECK: {files} name several accounts ({listed}); "
                    "write {account: ...} with the brand's own and remove the others' files"
                )
    else:
        lines += [
            "# No export was found in raw/: list the platforms once their exports are there.",
            "platforms: {}",
        ]
    first = next(iter(platforms), "instagram")
    display, _fmt, _exposure, metric = _example(first)
    lines += [
        "# Optional: posts planned per sprint and platform (the retro compares what shipped).",
        f"# cadence: {{{first}: 12}}",
        "# Optional: content pillars and the share of posts each should get (adding up to 1).",
        "# pillars: {education: 0.4, community: 0.35, product: 0.25}",
        "# Hours the team has per sprint for new content (the next-sprint plan fills them).",
        "capacity_hours: 40",
        "# Optional: KPI targets (the overview shows each against its target). For example:",
        "# targets:",
        f"#   - {{name: {display} engagement rate, metric: {metric}, platform: {first}, "
        "target: 0.02}",
    ]
    return "\n".join(lines) + "\n"


def _csv(columns: tuple[str, ...], row: dict[str, str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow([row.get(c, "") for c in columns])
    return buf.getvalue()


def _calendar_csv(platform: str) -> str:
    fmt = _example(platform)[1]
    return _csv(
        CALENDAR_COLUMNS,
        {
            "sprint": EXAMPLE_SPRINT,
            "planned_date": f"{EXAMPLE_SPRINT}-15",
            "platform": platform,
            "format": fmt,
            "title": "EXAMPLE row: delete this line. It is dated 2000-01 and marked dropped, "
            "so no report counts it.",
            "status": "dropped",
        },
    )


def _ideas_csv(platform: str) -> str:
    fmt = _example(platform)[1]
    return _csv(
        IDEAS_COLUMNS,
        {
            "id": "EXAMPLE-1",
            "title": "EXAMPLE idea: delete this line",
            "format": fmt,
            "platform": platform,
            "effort_hours": "1",
            "status": "rejected",
            "notes": "status rejected: never scored or planned. Your ideas: status backlog.",
        },
    )


def _experiments_yaml(name: str, platform: str) -> str:
    exposure = _example(platform)[2]
    return f"""# Content tests of {name} (keys: README, 'Workspace files'); written by `socialnb init`.
# The test below is an EXAMPLE with status planned: the content-tests page lists it as not
# analysed and nothing else uses it. Delete it (every line from "- id: example" down) when
# you register your first test; with no test at all, leave "experiments: []".
experiments:
  - id: example-delete-me
    hypothesis: EXAMPLE - opening with a question lifts engagements per {_PER[exposure]}
    platform: {platform}
    design: posts
    primary_metric: engagements
    exposure: {exposure}
    min_effect: 0.10
    status: planned
    variants:
      - {{name: statement, posts: []}}
      - {{name: question, posts: []}}
"""


def init_brand(
    workspace: str | Path,
    brand: str,
    *,
    timezone: str | None = None,
    name: str | None = None,
    ask_timezone: Callable[[], str | None] | None = None,
) -> InitResult:
    """Write a brand's ``brand.yaml`` skeleton and starter plan files from its exports.

    Parameters
    ----------
    workspace
        The workspace folder (created if missing).
    brand
        The brand's folder name (slug): its exports are read from ``<workspace>/<brand>/raw/``.
    timezone
        The brand's IANA time zone. Without it, ``ask_timezone`` is called (the command asks
        when a person is at the terminal); when that gives nothing either, ``UTC`` is written
        with a warning (Meta exports write local times without a zone).
    name
        The brand's display name (default: the slug, capitalised).
    ask_timezone
        Called for the zone when ``timezone`` is None.

    Returns
    -------
    InitResult
        The exports found, the files written and the files skipped because they existed.

    Raises
    ------
    ConfigError
        An unusable slug or an unknown time zone; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> result = init_brand(tempfile.mkdtemp(), "acme", timezone="Europe/London")
    >>> [p.name for p in result.written], result.platforms
    (['brand.yaml', 'calendar.csv', 'ideas.csv', 'experiments.yaml'], {})
    >>> init_brand(tempfile.mkdtemp(), "../up", timezone="UTC")
    Traceback (most recent call last):
    ...
    socialnb.errors.ConfigError: key '--brand' (value '../up'): is not a folder name. What to do: use a short slug such as 'acme' (letters, digits, - or _).
    """
    _check_slug(brand)
    timezone, defaulted = _zone(timezone, ask_timezone)
    folder = Path(workspace) / brand
    exports = detect_exports(folder / "raw", tz=timezone)
    platforms = _accounts_by_platform(exports)
    name = name or brand.replace("-", " ").replace("_", " ").strip().capitalize()
    first = next(iter(platforms), "instagram")
    contents = {
        "brand.yaml": _brand_yaml(name, timezone, defaulted, platforms, exports),
        "calendar.csv": _calendar_csv(first),
        "ideas.csv": _ideas_csv(first),
        "experiments.yaml": _experiments_yaml(name, first),
    }
    written, skipped = _write_new(folder, contents)
    warnings = _warnings(brand, exports, platforms)
    if defaulted and folder / "brand.yaml" in written:
        warnings.insert(0, _UTC_WARNING)
    return InitResult(
        brand=brand,
        folder=folder,
        timezone=timezone,
        timezone_defaulted=defaulted,
        exports=exports,
        written=written,
        skipped=skipped,
        warnings=tuple(warnings),
    )


def _check_slug(brand: str) -> None:
    """A brand's slug is one folder name: no path, no leading dot, no edge spaces."""
    if (
        not brand
        or brand.startswith(".")
        or any(c in brand for c in "/\\:")
        or brand != brand.strip()
    ):
        raise ConfigError(
            "is not a folder name.",
            key="--brand",
            value=brand,
            fix="use a short slug such as 'acme' (letters, digits, - or _).",
        )


def _zone(timezone: str | None, ask: Callable[[], str | None] | None) -> tuple[str, bool]:
    """The zone given, else the one asked for, else UTC (and whether it was defaulted)."""
    if timezone is None and ask is not None:
        timezone = (ask() or "").strip() or None
    if timezone is None:
        return "UTC", True
    if not is_timezone(timezone):
        raise ConfigError(
            "is not an IANA time zone.",
            key="--timezone",
            value=timezone,
            fix="write a zone such as Europe/London or America/New_York.",
        )
    return timezone, False


def _warnings(
    brand: str, exports: tuple[DetectedExport, ...], platforms: dict[str, tuple[str, ...]]
) -> list[str]:
    """What a person should check: no export, unreadable files, several accounts."""
    warnings = []
    if not exports:
        warnings.append(
            f"no exports in {brand}/raw/: brand.yaml lists no platform. What to do: download the "
            f"platforms' exports into {brand}/raw/ (README, 'Your own brand') and add them."
        )
    warnings += [f"raw/{e.path}: not read ({e.problem})" for e in exports if e.problem]
    for platform, accounts in platforms.items():
        if len(accounts) > 1:
            warnings.append(
                f"{platform}: the exports name several accounts ({', '.join(accounts)}); "
                "brand.yaml leaves the account for you to choose."
            )
    return warnings


_UTC_WARNING = (
    "time zone: none given, so brand.yaml says UTC. This matters: Meta exports "
    "(Facebook, Instagram) write local times without a zone, and a wrong zone moves posts "
    "to other days and months. What to do: write the brand's zone (e.g. Europe/London) "
    "in brand.yaml before the first ingest."
)


def _write_new(folder: Path, contents: dict[str, str]) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Write each starter file that does not exist yet (a calendar or backlog kept as .xlsx
    counts as existing); returns the files written and the files skipped."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raw").mkdir(exist_ok=True)
    written, skipped = [], []
    for filename in STARTER_FILES:
        path = folder / filename
        existing = [p for p in (path, path.with_suffix(".xlsx")) if p.exists()]
        if existing and (existing[0] == path or filename.endswith(".csv")):
            skipped.append(existing[0])
            continue
        with open(path, "x", encoding="utf-8", newline="") as fh:  # never overwrite
            fh.write(contents[filename])
        written.append(path)
    return tuple(written), tuple(skipped)
