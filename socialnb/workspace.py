"""The workspace: a folder of brands (``data/<brand>/``) and the warehouse built from them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from . import warehouse as wh
from .calendar import load_calendar
from .config import BrandConfig, list_brands, load_brand
from .errors import ConfigError, SocialnbError
from .ingest import MAPPING_SUFFIX, _bulk, load_with_mapping, read_raw
from .ingest._base import download_day, period_end_from_name
from .ingest._raw import _sha256_of
from .ingest.mapped import load_mapping, mapping_for

__all__ = ["Workspace", "IngestReport", "FileResult"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file in an ingest."""

    path: str
    brand: str | None
    status: str  # "loaded", "skipped" (seen before) or "rejected"
    format: str | None = None
    kind: str | None = None
    rows: int = 0  # the file's rows current after the load
    message: str = ""
    superseded: int = 0  # rows another file with the same export time holds
    ambiguous: int = 0  # of those, rows whose order in time could not be told


@dataclass(frozen=True)
class IngestReport:
    """Per-file outcome of :meth:`Workspace.ingest`."""

    files: tuple[FileResult, ...]

    @property
    def loaded(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.status == "loaded")

    @property
    def rejected(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.status == "rejected")

    @property
    def ambiguous(self) -> tuple[FileResult, ...]:
        """Files with rows that clash with another download of the same export time which
        cannot be ordered in time (each says what to do)."""
        return tuple(f for f in self.files if f.ambiguous)

    @property
    def ok(self) -> bool:
        """True when no file was rejected and no clash was left undecided."""
        return not self.rejected and not self.ambiguous

    def to_frame(self) -> pd.DataFrame:
        cols = [
            "path",
            "brand",
            "status",
            "format",
            "kind",
            "rows",
            "message",
            "superseded",
            "ambiguous",
        ]
        return pd.DataFrame([f.__dict__ for f in self.files], columns=cols)

    def __str__(self) -> str:
        n = {s: sum(f.status == s for f in self.files) for s in ("loaded", "skipped", "rejected")}
        lines = [
            f"{n['loaded']} file(s) loaded, {n['skipped']} already in the warehouse, {n['rejected']} rejected"
        ]
        lines += [f"  rejected: {f.message}" for f in self.rejected]
        lines += [f"  undecided: {f.path}: {f.message}" for f in self.ambiguous]
        return "\n".join(lines)


class Workspace:
    """A socialnb workspace folder and its warehouse.

    Parameters
    ----------
    path
        The workspace folder (one sub-folder per brand, each with a ``brand.yaml``).
    warehouse
        The DuckDB file; default ``<path>/warehouse.duckdb``.

    Examples
    --------
    >>> ws = socialnb.Workspace("data")          # doctest: +SKIP
    >>> ws.ingest()                               # doctest: +SKIP
    >>> ws.posts("fernway").groupby("platform").size()  # doctest: +SKIP
    """

    def __init__(self, path: str | Path = "data", *, warehouse: str | Path | None = None) -> None:
        # absolute but NOT resolved: brands and download days come from the path as laid out
        # (a symlinked raw/ or month folder keeps its name)
        self.path = _absolute(path)
        if not self.path.is_dir():
            raise ConfigError(
                f"{self.path}: no such workspace folder. What to do: pass the folder holding your brands "
                "(default 'data'), or create a sample one with `socialnb sample`."
            )
        self.warehouse_path = _absolute(warehouse) if warehouse else self.path / "warehouse.duckdb"

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r}, brands={self.brands()})"

    # -- brands ---------------------------------------------------------------------------
    def brands(self) -> list[str]:
        """Slugs of the brands in the workspace."""
        return list_brands(self.path)

    def brand(self, slug: str) -> BrandConfig:
        """The validated ``brand.yaml`` of brand ``slug``."""
        folder = self.path / slug
        if not folder.is_dir():
            raise ConfigError(
                f"{folder}: no brand {slug!r} in this workspace. What to do: use one of {self.brands()}."
            )
        return load_brand(folder)

    # -- plan files -----------------------------------------------------------------------
    def validate(self, brand: str | None = None) -> None:
        """Check every plan file of a brand (or of every brand) in full, loading nothing.

        brand.yaml, calendar.csv / .xlsx, ideas.csv / .xlsx, experiments.yaml and the sidecar
        mappings (``*.mapping.yaml``) under ``raw/`` are read with the same loaders the report
        uses. ``ingest`` calls it before any data file is loaded; ``report`` calls it before any
        notebook runs.

        Raises
        ------
        ConfigError
            The first problem found, naming the file, the row or key, the value and what to do.
        """
        for slug in [brand] if brand else self.brands():
            cfg = self.brand(slug)
            folder = self.path / slug
            cal = _first_existing(folder, "calendar.csv", "calendar.xlsx")
            if cal is not None:
                _as_config_error(load_calendar, cal)
            ideas = _first_existing(folder, "ideas.csv", "ideas.xlsx")
            if ideas is not None:
                from .ideation import load_ideas  # only when needed: heavier imports

                _as_config_error(load_ideas, ideas)
            if (folder / "experiments.yaml").exists():
                from .experiments import load_experiments

                _as_config_error(load_experiments, folder / "experiments.yaml")
            for m in sorted(_walk(folder / "raw", suffix=MAPPING_SUFFIX)):
                _as_config_error(load_mapping, m)
            del cfg

    # -- ingest ---------------------------------------------------------------------------
    def _brand_of(self, path: Path) -> str | None:
        brands = set(self.brands())
        for rel in _relative_forms(path, self.path):
            parts = rel.parts
            if len(parts) >= 3 and parts[1] == "raw" and parts[0] in brands:
                return parts[0]
        return None

    def _display(self, path: Path) -> str:
        """A file's path relative to the workspace when inside it (the warehouse stays portable)."""
        for rel in _relative_forms(path, self.path):
            return rel.as_posix()
        return str(_absolute(path))

    def raw_files(self, brand: str | None = None) -> list[Path]:
        """Every file under the brands' ``raw/`` folders (hidden files left out, symlinked
        folders followed), sorted."""
        brands = [brand] if brand else self.brands()
        out: list[Path] = []
        for b in brands:
            out.extend(_files_under(self.path / b / "raw"))
        return out

    def _collect(
        self, paths: Iterable[str | Path] | None, brand: str | None
    ) -> list[tuple[Path, str]]:
        if brand is not None and brand not in self.brands():
            raise ConfigError(
                f"no brand {brand!r} in {self.path}. What to do: use one of {self.brands()}, or "
                f"create {self.path / brand}/brand.yaml (README, 'Your own brand')."
            )
        if paths is None:
            files = self.raw_files(brand)
        else:
            files = []
            for p in paths:
                p = _absolute(p)
                if not p.exists():
                    raise ConfigError(f"{p}: no such file or folder. What to do: check the path.")
                files.extend(_files_under(p) if p.is_dir() else [p])
        out = [(f, brand or self._brand_of(f)) for f in dict.fromkeys(files)]
        orphans = [f for f, b in out if b is None]
        if orphans:
            more = f" (and {len(orphans) - 1} more)" if len(orphans) > 1 else ""
            raise ConfigError(
                f"{orphans[0]}{more}: is not inside a brand's raw/ folder of {self.path}, so which "
                "brand it belongs to (and its time zone) is unknown. Nothing was loaded. What to do: "
                "pass --brand B (Workspace.ingest(paths, brand=B)), or move it into "
                "<workspace>/<brand>/raw/."
            )
        return out  # type: ignore[return-value]

    def _known(self) -> dict[tuple[str, str], str]:
        """(brand, hash) -> the path of the copy loaded, for every file in the warehouse."""
        if not self.warehouse_path.exists():
            return {}
        con = wh.connect(self.warehouse_path, read_only=True)
        try:
            rows = con.execute("SELECT brand, source_hash, source_file FROM ingest_log").fetchall()
        except duckdb.Error:
            return {}
        finally:
            con.close()
        return {(r[0], r[1]): r[2] for r in rows}

    def ingest(
        self,
        paths: Iterable[str | Path] | None = None,
        *,
        brand: str | None = None,
        progress: bool = False,
        rebuild: bool = False,
        mapping: str | Path | None = None,
    ) -> IngestReport:
        """Load new raw files into the warehouse, each file in one transaction.

        Parameters
        ----------
        paths
            Files or folders to load; default every file under every brand's ``raw/``.
        brand
            Load for this brand only (and attribute ``paths`` outside the brands' ``raw/`` to
            it; without it such a path is a :class:`~socialnb.errors.ConfigError`).
        progress
            Show a progress bar.
        rebuild
            Build a fresh warehouse from ``raw/`` beside the old one and swap it in only when
            complete (the old one is kept if anything goes wrong).
        mapping
            A YAML mapping (path or shipped name) to read every file in ``paths`` with (hand-made
            spreadsheets). Without it, a file's sidecar ``<file>.mapping.yaml`` is used if present.

        Returns
        -------
        IngestReport
            One entry per file: loaded, skipped (the same bytes were loaded before) or rejected
            (with the reason). A rejected file leaves the warehouse exactly as it was.

        Raises
        ------
        ConfigError
            A plan file of a brand concerned is wrong (see :meth:`validate`), ``brand`` is not in
            the workspace, or a path lies outside every brand without ``brand``. Nothing is loaded.
        WarehouseError
            Another ingest is writing (one writer at a time), or the warehouse was built by
            another version of socialnb.

        Notes
        -----
        Identical bytes are one file per brand, wherever they lie: of several copies, the one
        whose path allows the earliest export time (a ``YYYY-MM-DD`` download folder, else the
        period in its name) is loaded; a path that states none goes first, as its time comes
        from the content (the earliest the export can have been taken). Ties go to the shortest
        path (``Views.csv`` before ``Views (1).csv``), then to the first by its text. A better
        copy found later, or a copy moved to another folder, replaces the loaded one. So any order of arrival gives the same tables.
        """
        with wh.writer_lock(self.warehouse_path):
            if rebuild:
                return self._rebuild(progress=progress)
            return self._ingest(paths, brand=brand, progress=progress, mapping=mapping)

    def _ingest(self, paths, *, brand, progress, mapping) -> IngestReport:
        files = self._collect(paths, brand)
        slugs = sorted({b for _, b in files} | ({brand} if brand else set()))
        for slug in slugs:
            self.validate(slug)
        if mapping is not None:
            _as_config_error(load_mapping, mapping)
        configs: dict[str, BrandConfig] = {slug: self.brand(slug) for slug in slugs}
        # a corrupt calendar is refused before any data file is committed
        calendars = {slug: self._read_calendar(slug) for slug in slugs}
        known = self._known()
        results: list[FileResult] = []
        chosen, copies = _choose_copies(files, mapping, self._display)
        for path, b in copies:
            results.append(
                FileResult(
                    self._display(path),
                    b,
                    "skipped",
                    message=f"the same bytes as {self._display(chosen[(path, b)])}",
                )
            )
        con: duckdb.DuckDBPyConnection | None = None
        todo = [(p, b) for p, b in files if (p, b) not in chosen]
        try:
            for path, b in tqdm(
                todo, desc="ingest", unit="file", disable=not progress, leave=False
            ):
                shown = self._display(path)
                cfg = configs[b]
                try:
                    _check_download_day(path)
                    with wh.expected_accounts(_accounts(cfg)):
                        if mapping is None and _bulk.eligible(path) and mapping_for(path) is None:
                            # A large file: loaded inside DuckDB when it is a regular export whose
                            # format allows it (None: read it below, exactly).
                            if con is not None:  # the fast path attaches the warehouse itself
                                con.close()
                                con = None
                            done = _bulk.ingest_file(
                                path,
                                warehouse=self.warehouse_path,
                                display=shown,
                                brand=b,
                                tz=cfg.timezone,
                                accounts=_accounts(cfg),
                                known=lambda d, b=b, shown=shown: _keep(
                                    known, b, d, shown, self.path
                                ),
                                # a path loaded before is likely the same file: hash it first
                                # (skipped unparsed); a new one is hashed while it is staged
                                hash_first=(b, shown) in {(k[0], v) for k, v in known.items()},
                            )
                            if done is not None:
                                if done.status == "loaded":
                                    known[(b, done.sha256)] = shown
                                    results.append(
                                        self._loaded(path, b, done.format, done.kind, done.sha256)
                                    )
                                else:
                                    results.append(
                                        FileResult(
                                            shown, b, "skipped", message="already in the warehouse"
                                        )
                                    )
                                continue
                        raw, mapping_used = load_with_mapping(path, mapping)
                        if _keep(known, b, raw.sha256, shown, self.path):
                            results.append(
                                FileResult(shown, b, "skipped", message="already in the warehouse")
                            )
                            continue
                        frames = read_raw(raw, tz=cfg.timezone, mapping=mapping_used)
                        for frame in frames:
                            _fill_account(frame, cfg)
                            frame["source_file"] = shown
                            if len(frame):
                                wh.check_accounts(
                                    str(frame["platform"].iloc[0]),
                                    frame["account"].unique(),
                                    path,
                                )
                except SocialnbError as exc:
                    results.append(FileResult(shown, b, "rejected", message=str(exc)))
                    continue
                if con is None:
                    con = wh.connect(self.warehouse_path)
                wh.load_file(con, frames, brand=b)
                known[(b, raw.sha256)] = shown
                fmt = "+".join(dict.fromkeys(f.attrs["format"] for f in frames))
                kind = "+".join(dict.fromkeys(f.attrs["kind"] for f in frames))
                quarantined = sum(len(f.attrs.get("rejected_rows", [])) for f in frames)
                results.append(
                    self._loaded(path, b, fmt, kind, raw.sha256, con=con, quarantined=quarantined)
                )
            for slug in slugs:
                con = self._refresh_calendar(con, slug, calendars[slug])
        finally:
            if con is not None:
                con.close()
        return IngestReport(tuple(results))

    def _loaded(
        self,
        path: Path,
        brand: str,
        fmt: str | None,
        kind: str | None,
        digest: str | None = None,
        *,
        con: duckdb.DuckDBPyConnection | None = None,
        quarantined: int = 0,
    ) -> FileResult:
        """The result of a loaded file, with its counts as the ingest_log holds them."""
        shown = self._display(path)
        digest = digest or _sha256_of(path)
        own = con is None
        con = con or wh.connect(self.warehouse_path, read_only=True)
        try:
            got = wh.file_outcome(con, brand, digest) or {}
        finally:
            if own:
                con.close()
        notes = []
        if quarantined:
            notes.append(f"{quarantined} row(s) quarantined (see ingest_log.detail)")
        superseded = int(got.get("rows_superseded", 0))
        ambiguous = int(got.get("rows_ambiguous", 0))
        if superseded - ambiguous:
            notes.append(
                f"{superseded - ambiguous} row(s) held by another download with the same export "
                "time (the newer one, or the same values)"
            )
        if ambiguous:
            others = ", ".join(got.get("ambiguous_with", []))
            notes.append(wh.AMBIGUOUS_ADVICE.format(n=ambiguous) + f" (clashes with {others})")
        return FileResult(
            shown,
            brand,
            "loaded",
            fmt,
            kind,
            int(got.get("rows_loaded", 0)),
            "; ".join(notes),
            superseded,
            ambiguous,
        )

    def _read_calendar(self, slug: str) -> tuple[Path, str, pd.DataFrame] | None:
        path = _first_existing(self.path / slug, "calendar.csv", "calendar.xlsx")
        if path is None:
            return None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return path, digest, _as_config_error(load_calendar, path)

    def _refresh_calendar(self, con, slug: str, calendar):
        if calendar is None:
            return con
        path, digest, frame = calendar
        key = f"calendar_hash:{slug}"
        if con is None and self.warehouse_path.exists():
            ro = wh.connect(self.warehouse_path, read_only=True)
            try:
                row = ro.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
                row = row[0] if row else None
            finally:
                ro.close()
            if row and row[0] == digest:
                return con
        elif con is not None:
            row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
            row = row[0] if row else None
            if row and row[0] == digest:
                return con
        if con is None:
            con = wh.connect(self.warehouse_path)
        wh.replace_calendar(con, slug, frame)
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, digest])
        return con

    def _rebuild(self, *, progress: bool) -> IngestReport:
        target = self.warehouse_path
        temp = target.with_name(f".{target.name}.rebuild-{os.getpid()}")
        for leftover in (temp, temp.with_name(temp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        fresh = Workspace(self.path, warehouse=temp)
        try:
            report = fresh.ingest(progress=progress)
        except BaseException:
            temp.unlink(missing_ok=True)
            temp.with_name(temp.name + ".lock").unlink(missing_ok=True)
            raise
        temp.with_name(temp.name + ".lock").unlink(missing_ok=True)
        os.replace(temp, target)  # still under the writer lock: no ingest is mid-transaction
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        return report

    # -- queries --------------------------------------------------------------------------
    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the warehouse, read-only by default (close it when done)."""
        return wh.connect(self.warehouse_path, read_only=read_only)

    def _query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        con = self.connect()
        try:
            return wh.query(con, sql, params)
        finally:
            con.close()

    def _brand_filter(self, table: str, brand: str | None, order: str) -> pd.DataFrame:
        if brand is not None and brand not in self.brands():
            raise ConfigError(
                f"no brand {brand!r} in {self.path}. What to do: use one of {self.brands()}."
            )
        where = "WHERE brand = ?" if brand else ""
        return self._query(
            f"SELECT * FROM {table} {where} ORDER BY {order}", [brand] if brand else []
        )

    def posts(self, brand: str | None = None) -> pd.DataFrame:
        """The latest snapshot of every post, with the calendar's tags (pillar, series, ...).

        The tags come from the one calendar matcher, :func:`socialnb.retro.match_calendar` (by
        post id, then by any form of the post's link, then by title and date), so every page
        that reads posts sees the same matches as the retro. A post no calendar row names has
        no tags (missing, never a guess).
        """
        from .retro import match_calendar, tag_posts

        frame = self._brand_filter("posts", brand, "platform, published_at, post_id")
        calendar = self.calendar(brand)
        if frame.empty:
            return tag_posts(frame, match_calendar(calendar, frame))
        parts = []
        for slug, mine in frame.groupby("brand", sort=False):
            cal = calendar[calendar["brand"] == slug]
            parts.append(tag_posts(mine, match_calendar(cal, mine)))
        return pd.concat(parts).loc[frame.index] if len(parts) > 1 else parts[0]

    def snapshots(self, brand: str | None = None) -> pd.DataFrame:
        """Every snapshot of every post (one row per platform, post and export time)."""
        return self._brand_filter("post_snapshots", brand, "platform, post_id, exported_at")

    def account_daily(self, brand: str | None = None) -> pd.DataFrame:
        """Daily account metrics (the latest export's value for each day and metric)."""
        frame = self._brand_filter("account_daily", brand, "platform, account, date")
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def calendar(self, brand: str | None = None) -> pd.DataFrame:
        """The calendar rows as last loaded into the warehouse."""
        frame = self._brand_filter("calendar", brand, "brand, calendar_row")
        frame["planned_date"] = pd.to_datetime(frame["planned_date"])
        return frame

    def ingest_log(self) -> pd.DataFrame:
        """Every file loaded into the warehouse, newest first."""
        return self._query("SELECT * FROM ingest_log ORDER BY ingested_at DESC, source_file")


def _absolute(path: str | Path) -> Path:
    """An absolute, normalised path that keeps symlinks as named (``os.path.abspath``)."""
    return Path(os.path.abspath(os.fspath(path)))


def _relative_forms(path: Path, root: Path) -> list[Path]:
    """``path`` relative to ``root``: as laid out, else both fully resolved (a file reached
    through a symlink to the workspace)."""
    out = []
    for p, r in ((_absolute(path), _absolute(root)), (Path(path).resolve(), root.resolve())):
        try:
            out.append(p.relative_to(r))
        except ValueError:
            continue
    return out


def _walk(folder: Path, *, suffix: str | None = None) -> list[Path]:
    """Files under ``folder`` following symlinked folders (each real folder once), hidden
    files and folders left out; with ``suffix`` only names ending so."""
    if not folder.is_dir():
        return []
    seen: set[str] = set()
    out: list[Path] = []
    for top, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith("."):
                continue
            if suffix is not None and not name.endswith(suffix):
                continue
            p = Path(top) / name
            if p.is_file():
                out.append(p)
    return sorted(out)


def _files_under(folder: Path) -> list[Path]:
    return [p for p in _walk(folder) if not p.name.endswith(MAPPING_SUFFIX)]


def _first_existing(folder: Path, *names: str) -> Path | None:
    return next((folder / n for n in names if (folder / n).exists()), None)


def _as_config_error(loader, path: Path):
    """Run a plan-file loader; every failure is a ConfigError naming the file."""
    try:
        return loader(path)
    except ConfigError:
        raise
    except SocialnbError as exc:
        raise ConfigError(str(exc)) from exc
    except RecursionError as exc:
        raise ConfigError(
            f"{path}: refers to itself (a loop of 'use:' references). What to do: point 'use:' "
            "at another mapping, or remove it."
        ) from exc
    except Exception as exc:  # a damaged file (a truncated .xlsx is a bad zip, ...)
        raise ConfigError(
            f"{path}: cannot be read ({type(exc).__name__}: {exc}). What to do: open it in a "
            "spreadsheet or text editor, save it again (UTF-8 CSV, XLSX or YAML) and retry."
        ) from exc


def _path_time(shown: str) -> datetime | None:
    """The export time a file's path states: its download folder, else its name's period."""
    p = Path(shown)
    day = download_day(p)
    if day is not None:
        return day
    end = period_end_from_name(p.name)
    return None if end is None else end + timedelta(days=1)


def _copy_rank(shown: str) -> tuple:
    """Order of preference between copies of the same bytes: the earliest export time their path
    allows first (the bytes existed then): a path that states none first (its time comes from the
    content, the earliest possible), then the earliest download folder or period end; then the
    shorter path (``Views.csv`` before its copy ``Views (1).csv``), then the path's text."""
    t = _path_time(shown)
    return (t is not None, t or datetime.min, len(shown), shown)


def _keep(
    known: dict[tuple[str, str], str], brand: str, digest: str, shown: str, root: Path
) -> bool:
    """True when the file is loaded for ``brand`` already from a copy at least as good that is
    still there (a copy moved, e.g. into a download-day folder, is loaded again from its new
    place)."""
    loaded = known.get((brand, digest))
    if loaded is None:
        return False
    if loaded == shown:
        return True
    return (root / loaded).exists() and _copy_rank(loaded) <= _copy_rank(shown)


def _choose_copies(files, mapping, display):
    """Group the files by (brand, bytes, mapping): the best copy of each group is loaded, the
    others are reported as skipped. Returns ({(copy, brand): chosen path}, [(copy, brand)])."""
    sizes: dict[tuple, int] = {}
    for path, b in files:
        sizes[(b, _size(path))] = sizes.get((b, _size(path)), 0) + 1
    groups: dict[tuple, list[Path]] = {}
    for path, b in files:
        if sizes[(b, _size(path))] < 2:
            continue  # no other file of its size: no copy to find (and no need to hash it now)
        side = mapping_for(path) if mapping is None else None
        try:
            key = (b, _sha256_of(path), _sha256_of(side) if side is not None else None)
        except OSError:
            key = (b, str(path), None)  # unreadable: its own group; reading it says why
        groups.setdefault(key, []).append(path)
    chosen: dict[tuple[Path, str], Path] = {}
    copies: list[tuple[Path, str]] = []
    for (b, _, _), paths in groups.items():
        if len(paths) < 2:
            continue
        best = min(paths, key=lambda p: _copy_rank(display(p)))
        for p in paths:
            if p != best:
                chosen[(p, b)] = best
                copies.append((p, b))
    return chosen, copies


def _size(path: Path) -> int:
    """The file's size in bytes (-1 when it cannot be read: reading it later says why)."""
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _check_download_day(path: Path) -> None:
    """A download folder dated after today is a typo (it would be the newest export for ever)."""
    day = download_day(path)
    if day is None:
        return
    today = datetime.now(UTC).date()
    if day.date() > today + timedelta(days=1):  # a day ahead is still today somewhere
        folder = next(p for p in path.parents if p.name == day.strftime("%Y-%m-%d"))
        raise ConfigError(
            f"{path}: is in the download folder {folder.name}, a day after today "
            f"({today:%Y-%m-%d}); the folder name is taken as the day the export was downloaded, "
            "so it would stay the newest export for ever. Nothing was loaded from it. What to do: "
            "rename the folder to the day you downloaded the file."
        )


def _accounts(cfg: BrandConfig | None) -> dict[str, str] | None:
    """Platform -> the account :func:`_fill_account` puts in blank accounts (None: no brand)."""
    if cfg is None:
        return None
    return {p: str(v.get("account", "")) for p, v in cfg.platforms.items()}


def _fill_account(frame: pd.DataFrame, cfg: BrandConfig | None) -> None:
    if cfg is None or not len(frame):
        return
    blank = frame["account"].isna() | (frame["account"] == "")
    if not blank.any():
        return
    accounts = _accounts(cfg)
    fill = frame.loc[blank, "platform"].map(accounts).astype("string").fillna("")
    frame.loc[blank, "account"] = fill.astype("string")
