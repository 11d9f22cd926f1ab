"""The workspace: a folder of brands (``data/<brand>/``) and the warehouse built from them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb
from tqdm import tqdm

from .. import _lazy
from .. import warehouse as wh
from ..calendar import CalendarMatch, brand_calendar, calendar_file, load_calendar
from ..config import BrandConfig, list_brands, load_brand
from ..errors import ConfigError
from ..ingest import MAPPING_SUFFIX
from ..ingest._raw import _sha256_of
from ..ingest.mapped import load_mapping
from .files import _absolute, _choose_copies, _files_under, _first_existing, _relative_forms, _walk
from .results import FileResult, IngestReport
from .run import IngestRun, _as_config_error, calendar_hash_key

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["Workspace"]

_POSTS_ORDER = "platform, published_at, post_id"


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
    The sample workspace::

        ws = socialnb.Workspace("data")
        ws.ingest()
        ws.posts("fernway").groupby("platform").size()
    """

    def __init__(self, path: str | Path = "data", *, warehouse: str | Path | None = None) -> None:
        # absolute but NOT resolved: brands and download days come from the path as laid out
        # (a symlinked raw/ or month folder keeps its name)
        self.path = _absolute(path)
        if not self.path.is_dir():
            raise ConfigError(
                "no such workspace folder.",
                path=self.path,
                fix="pass the folder holding your brands (default 'data'), or create a sample one "
                "with `socialnb sample`.",
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
                f"no brand {slug!r} in this workspace.",
                path=folder,
                fix=f"use one of {self.brands()}.",
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
            cal = calendar_file(folder)
            if cal is not None:
                _as_config_error(load_calendar, cal)
            ideas = _first_existing(folder, "ideas.csv", "ideas.xlsx")
            if ideas is not None:
                from ..ideation import load_ideas  # only when needed: heavier imports

                _as_config_error(load_ideas, ideas)
            if (folder / "experiments.yaml").exists():
                from ..experiments import load_experiments

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
                f"no brand {brand!r} in {self.path}.",
                fix=f"use one of {self.brands()}, or create {self.path / brand}/brand.yaml "
                "(README, 'Your own brand').",
            )
        if paths is None:
            files = self.raw_files(brand)
        else:
            files = []
            for p in paths:
                p = _absolute(p)
                if not p.exists():
                    raise ConfigError("no such file or folder.", path=p, fix="check the path.")
                files.extend(_files_under(p) if p.is_dir() else [p])
        out = [(f, brand or self._brand_of(f)) for f in dict.fromkeys(files)]
        orphans = [f for f, b in out if b is None]
        if orphans:
            more = f" (nor are {len(orphans) - 1} more files)" if len(orphans) > 1 else ""
            raise ConfigError(
                f"is not inside a brand's raw/ folder of {self.path}{more}, so which brand it "
                "belongs to (and its time zone) is unknown. Nothing was loaded.",
                path=orphans[0],
                fix="pass --brand B (Workspace.ingest(paths, brand=B)), or move it into "
                "<workspace>/<brand>/raw/.",
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
        run = IngestRun(self, mapping, {slug: self.brand(slug) for slug in slugs})
        # a corrupt calendar is refused before any data file is committed
        calendars = {slug: run.read_calendar(slug) for slug in slugs}
        chosen, copies = _choose_copies(files, mapping, self._display)
        for path, b in copies:
            same = self._display(chosen[(path, b)])
            run.results.append(
                FileResult(self._display(path), b, "skipped", message=f"the same bytes as {same}")
            )
        todo = [(p, b) for p, b in files if (p, b) not in chosen]
        try:
            for path, b in tqdm(
                todo, desc="ingest", unit="file", disable=not progress, leave=False
            ):
                run.load(path, b)
            for slug in slugs:
                run.refresh_calendar(slug, calendars[slug])
        finally:
            run.close()
        return IngestReport(tuple(run.results))

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

    def _query(
        self, sql: str, params: list | None = None, con: duckdb.DuckDBPyConnection | None = None
    ) -> pd.DataFrame:
        """Run ``sql`` on ``con``, or on a connection of its own when none is given."""
        if con is not None:
            return wh.query(con, sql, params)
        con = self.connect()
        try:
            return wh.query(con, sql, params)
        finally:
            con.close()

    def _check_brand(self, brand: str | None) -> None:
        if brand is not None and brand not in self.brands():
            raise ConfigError(
                f"no brand {brand!r} in {self.path}.", fix=f"use one of {self.brands()}."
            )

    def _brand_filter(
        self,
        table: str,
        brand: str | None,
        order: str,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> pd.DataFrame:
        self._check_brand(brand)
        where = "WHERE brand = ?" if brand else ""
        return self._query(
            f"SELECT * FROM {table} {where} ORDER BY {order}", [brand] if brand else [], con
        )

    def posts(self, brand: str | None = None, *, tags: bool = True) -> pd.DataFrame:
        """The latest snapshot of every post, with the calendar's tags (pillar, series, ...);
        ``tags=False``: without them (the calendar is not read), for a reader that uses none.

        The tags come from the one calendar matcher, :func:`socialnb.retro.match_calendar` (by
        post id, then by any form of the post's link, then by title and date), so every page
        that reads posts sees the same matches as the retro. The calendar is the brand's file as
        it is now: the warehouse's copy when the file is the one the last ingest loaded, else the
        file (edited since), as the retro reads it. A post no calendar row names has no tags
        (missing, never a guess).
        """
        from ..calendar import match_calendar, tag_posts

        self._check_brand(brand)  # before connecting: a wrong brand is named as such
        if not tags:
            return self._brand_filter("posts", brand, _POSTS_ORDER)
        con = self.connect()  # one connection for both reads
        try:
            frame = self._brand_filter("posts", brand, _POSTS_ORDER, con)
            calendar = self._calendar(brand, con)
            loaded = dict(  # each brand's calendar file as the last ingest loaded it (its hash)
                con.execute(
                    "SELECT key, value FROM meta WHERE starts_with(key, ?)", [calendar_hash_key("")]
                ).fetchall()
            )
        finally:
            con.close()
        if frame.empty:
            return tag_posts(frame, match_calendar(calendar, frame))
        parts = []
        for slug, mine in frame.groupby("brand", sort=False):
            cal = calendar[calendar["brand"] == slug]
            cal = self._calendar_now(str(slug), cal, loaded.get(calendar_hash_key(str(slug))))
            parts.append(tag_posts(mine, match_calendar(cal, mine)))
        return pd.concat(parts).loc[frame.index] if len(parts) > 1 else parts[0]

    def tagged_posts(
        self, brand: str, calendar: pd.DataFrame
    ) -> tuple[pd.DataFrame, CalendarMatch]:
        """One brand's posts tagged by a calendar, and the match that tagged them, so that a page
        that needs both (the retro) matches the calendar once.

        Parameters
        ----------
        brand
            The brand's slug.
        calendar
            The calendar rows to match, usually the brand's calendar file as just read
            (:func:`socialnb.calendar.brand_calendar`).

        Returns
        -------
        (DataFrame, CalendarMatch)
            The posts as :meth:`posts` gives them, but with the tags of ``calendar`` (the same
            tags when the warehouse holds the file's rows, as it does after every ingest), and
            :func:`socialnb.calendar.match_calendar` of ``calendar`` and the posts.
        """
        from ..calendar import match_calendar, tag_posts

        frame = self._brand_filter("posts", brand, _POSTS_ORDER)
        match = match_calendar(calendar, frame)
        return tag_posts(frame, match), match

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
        return self._calendar(brand)

    def _calendar_now(self, slug: str, stored: pd.DataFrame, loaded: str | None) -> pd.DataFrame:
        """A brand's calendar as its file is now: the warehouse's copy (``stored``) when the file
        is the one the last ingest loaded (its hash ``loaded``; the usual case, ``socialnb
        report`` ingests first), else the file itself (edited, added or removed since), so that
        every page tags posts with the calendar the retro reads
        (:func:`socialnb.calendar.brand_calendar`), never two versions of it."""
        path = calendar_file(self.path / slug) if slug else None
        if path is None:
            return stored if loaded is None else stored.iloc[0:0]  # a calendar removed since
        if loaded == _sha256_of(path):
            return stored
        return brand_calendar(path.parent)

    def _calendar(
        self, brand: str | None, con: duckdb.DuckDBPyConnection | None = None
    ) -> pd.DataFrame:
        frame = self._brand_filter("calendar", brand, "brand, calendar_row", con)
        frame["planned_date"] = pd.to_datetime(frame["planned_date"])
        return frame

    def ingest_log(self) -> pd.DataFrame:
        """Every file loaded into the warehouse, newest first."""
        return self._query("SELECT * FROM ingest_log ORDER BY ingested_at DESC, source_file")
