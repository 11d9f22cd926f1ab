"""The workspace: a folder of brands (``data/<brand>/``) and the warehouse built from them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from . import warehouse as wh
from .calendar import load_calendar
from .config import BrandConfig, list_brands, load_brand
from .errors import ConfigError, SocialnbError
from .ingest import MAPPING_SUFFIX, _bulk, load_with_mapping, read_raw
from .ingest.mapped import mapping_for

__all__ = ["Workspace", "IngestReport", "FileResult"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file in an ingest."""

    path: str
    brand: str | None
    status: str  # "loaded", "skipped" (seen before) or "rejected"
    format: str | None = None
    kind: str | None = None
    rows: int = 0
    message: str = ""


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
    def ok(self) -> bool:
        """True when no file was rejected."""
        return not self.rejected

    def to_frame(self) -> pd.DataFrame:
        cols = ["path", "brand", "status", "format", "kind", "rows", "message"]
        return pd.DataFrame([f.__dict__ for f in self.files], columns=cols)

    def __str__(self) -> str:
        n = {s: sum(f.status == s for f in self.files) for s in ("loaded", "skipped", "rejected")}
        lines = [
            f"{n['loaded']} file(s) loaded, {n['skipped']} already in the warehouse, {n['rejected']} rejected"
        ]
        lines += [f"  rejected: {f.message}" for f in self.rejected]
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
        self.path = Path(path).resolve()
        if not self.path.is_dir():
            raise ConfigError(
                f"{self.path}: no such workspace folder. What to do: pass the folder holding your brands "
                "(default 'data'), or create a sample one with `socialnb sample`."
            )
        self.warehouse_path = (
            Path(warehouse).resolve() if warehouse else self.path / "warehouse.duckdb"
        )

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

    # -- ingest ---------------------------------------------------------------------------
    def _brand_of(self, path: Path) -> str | None:
        try:
            rel = path.resolve().relative_to(self.path)
        except ValueError:
            return None
        parts = rel.parts
        if len(parts) >= 3 and parts[1] == "raw":
            return parts[0]
        return None

    def _display(self, path: Path) -> str:
        """A file's path relative to the workspace when inside it (the warehouse stays portable)."""
        try:
            return path.resolve().relative_to(self.path).as_posix()
        except ValueError:
            return str(path.resolve())

    def raw_files(self, brand: str | None = None) -> list[Path]:
        """Every file under the brands' ``raw/`` folders (hidden files left out), sorted."""
        brands = [brand] if brand else self.brands()
        out: list[Path] = []
        for b in brands:
            out.extend(_files_under(self.path / b / "raw"))
        return out

    def _collect(
        self, paths: Iterable[str | Path] | None, brand: str | None
    ) -> list[tuple[Path, str | None]]:
        if paths is None:
            files = self.raw_files(brand)
        else:
            files = []
            for p in paths:
                p = Path(p)
                if not p.exists():
                    raise ConfigError(f"{p}: no such file or folder. What to do: check the path.")
                files.extend(_files_under(p) if p.is_dir() else [p])
        return [(f, brand or self._brand_of(f)) for f in files]

    def _known_hashes(self) -> set[str]:
        if not self.warehouse_path.exists():
            return set()
        con = wh.connect(self.warehouse_path, read_only=True)
        try:
            return {r[0] for r in con.execute("SELECT source_hash FROM ingest_log").fetchall()}
        except duckdb.Error:
            return set()
        finally:
            con.close()

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
            Load for this brand only (or attribute ``paths`` outside the workspace to it).
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
        """
        if rebuild:
            return self._rebuild(progress=progress)
        files = self._collect(paths, brand)
        known = self._known_hashes()
        results: list[FileResult] = []
        con: duckdb.DuckDBPyConnection | None = None
        configs: dict[str, BrandConfig] = {}
        try:
            for path, b in tqdm(
                files, desc="ingest", unit="file", disable=not progress, leave=False
            ):
                shown = self._display(path)
                try:
                    if mapping is None and _bulk.eligible(path) and mapping_for(path) is None:
                        # A large file: loaded inside DuckDB when it is a regular export whose
                        # format allows it (None: read it below, exactly).
                        if con is not None:  # the fast path attaches the warehouse itself
                            con.close()
                            con = None
                        cfg = configs.get(b) if b else None
                        if b and cfg is None:
                            cfg = configs[b] = self.brand(b)
                        done = _bulk.ingest_file(
                            path,
                            warehouse=self.warehouse_path,
                            display=shown,
                            brand=b,
                            tz=cfg.timezone if cfg else None,
                            accounts=_accounts(cfg),
                            known=known,
                        )
                        if done is not None:
                            known.add(done.sha256)
                            results.append(
                                FileResult(shown, b, "loaded", done.format, done.kind, done.rows)
                                if done.status == "loaded"
                                else FileResult(
                                    shown, b, "skipped", message="already in the warehouse"
                                )
                            )
                            continue
                    raw, mapping_used = load_with_mapping(path, mapping)
                    if raw.sha256 in known:
                        results.append(
                            FileResult(shown, b, "skipped", message="already in the warehouse")
                        )
                        continue
                    cfg = configs.get(b) if b else None
                    if b and cfg is None:
                        cfg = configs[b] = self.brand(b)
                    frames = read_raw(raw, tz=cfg.timezone if cfg else None, mapping=mapping_used)
                    for frame in frames:
                        _fill_account(frame, cfg)
                        frame["source_file"] = shown
                except SocialnbError as exc:
                    results.append(FileResult(shown, b, "rejected", message=str(exc)))
                    continue
                if con is None:
                    con = wh.connect(self.warehouse_path)
                rows = wh.load_file(con, frames, brand=b)
                known.add(raw.sha256)
                fmt = "+".join(dict.fromkeys(f.attrs["format"] for f in frames))
                kind = "+".join(dict.fromkeys(f.attrs["kind"] for f in frames))
                quarantined = sum(len(f.attrs.get("rejected_rows", [])) for f in frames)
                note = (
                    f"{quarantined} row(s) quarantined (see ingest_log.detail)"
                    if quarantined
                    else ""
                )
                results.append(FileResult(shown, b, "loaded", fmt, kind, rows, note))
            for b in sorted({b for _, b in files if b} | ({brand} if brand else set())):
                con = self._refresh_calendar(con, b, results)
        finally:
            if con is not None:
                con.close()
        return IngestReport(tuple(results))

    def _refresh_calendar(self, con, slug: str, results: list[FileResult]):
        path = next(
            (
                p
                for p in (self.path / slug / "calendar.csv", self.path / slug / "calendar.xlsx")
                if p.exists()
            ),
            None,
        )
        if path is None:
            return con
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        key = f"calendar_hash:{slug}"
        if con is None and self.warehouse_path.exists():
            ro = wh.connect(self.warehouse_path, read_only=True)
            try:
                row = ro.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
            finally:
                ro.close()
            if row and row[0] == digest:
                return con
        elif con is not None:
            row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
            if row and row[0] == digest:
                return con
        try:
            calendar = load_calendar(path)
        except SocialnbError as exc:
            results.append(
                FileResult(str(path), slug, "rejected", "calendar", "calendar", message=str(exc))
            )
            return con
        if con is None:
            con = wh.connect(self.warehouse_path)
        wh.replace_calendar(con, slug, calendar)
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
            raise
        os.replace(temp, target)
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
        """The latest snapshot of every post, with the calendar's tags (pillar, series, ...)."""
        return self._brand_filter("posts", brand, "platform, published_at, post_id")

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


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not p.name.endswith(MAPPING_SUFFIX)
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
