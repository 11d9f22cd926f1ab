"""One ingest run: each file loaded in its own transaction, the calendars refreshed after."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import yaml

from .. import _lazy
from .. import warehouse as wh
from ..calendar import calendar_file, load_calendar
from ..config import BrandConfig
from ..errors import ConfigError, SocialnbError
from ..ingest import _bulk, _stream, load_with_mapping, read_raw
from ..ingest._raw import _sha256_of
from ..ingest.mapped import mapping_for
from .files import _check_download_day, _keep
from .results import FileResult, loaded_result

pd = _lazy.module("pandas", globals(), "pd")

#: What a plan-file loader may raise on a damaged file (a truncated .xlsx is a bad zip, ...).
_DAMAGED = (OSError, ValueError, LookupError, TypeError, zipfile.BadZipFile, yaml.YAMLError)


class IngestRun:
    """The state of one :meth:`~socialnb.Workspace.ingest`: what the warehouse holds, the open
    connection (None while the fast path attaches the warehouse itself) and the results."""

    def __init__(self, ws, mapping, configs: dict[str, BrandConfig]) -> None:
        self.ws = ws
        self.mapping = mapping
        self.configs = configs
        self.known: dict[tuple[str, str], str] = ws._known()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.results: list[FileResult] = []

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def load(self, path: Path, brand: str) -> None:
        """Load one file for ``brand`` (or note it skipped or rejected, with why)."""
        shown = self.ws._display(path)
        cfg = self.configs[brand]
        try:
            _check_download_day(path)
            with wh.expected_accounts(_accounts(cfg)):
                done = self._fast(path, brand, shown, cfg)
                if isinstance(done, FileResult):
                    self.results.append(done)
                    return
                got = done if done is not None else self._read(path, brand, shown, cfg)
        except SocialnbError as exc:
            self.results.append(FileResult(shown, brand, "rejected", message=str(exc)))
            return
        if got is None:
            self.results.append(
                FileResult(shown, brand, "skipped", message="already in the warehouse")
            )
            return
        raw, frames = got
        if self.con is None:
            self.con = wh.connect(self.ws.warehouse_path)
        wh.load_file(self.con, frames, brand=brand)
        self.known[(brand, raw.sha256)] = shown
        fmt = "+".join(dict.fromkeys(f.attrs["format"] for f in frames))
        kind = "+".join(dict.fromkeys(f.attrs["kind"] for f in frames))
        quarantined = sum(len(f.attrs.get("rejected_rows", [])) for f in frames)
        self.results.append(self._loaded(path, brand, fmt, kind, raw.sha256, quarantined))

    def _fast(self, path: Path, brand: str, shown: str, cfg: BrandConfig):
        """A large file without a mapping: loaded inside DuckDB (Meta content exports, a
        FileResult), else streamed (the other CSV formats: (raw, frames) as :meth:`_read`); None
        when it must be read exactly."""
        if self.mapping is not None or mapping_for(path) is not None:
            return None
        done = self._bulk(path, brand, shown, cfg) if _bulk.eligible(path) else None
        if done is None and _stream.eligible(path):
            done = self._stream(path, brand, shown, cfg)
        return done

    def _stream(self, path: Path, brand: str, shown: str, cfg: BrandConfig):
        """A large CSV export read without holding the file (socialnb.ingest._stream): (raw,
        frames), a skipped FileResult, or None when it is not such a file or is irregular
        (nothing is written then)."""
        raw = _stream.open_streamed(path)
        if raw is None:
            return None
        if _keep(self.known, brand, raw.sha256, shown, self.ws.path):
            return FileResult(shown, brand, "skipped", message="already in the warehouse")
        frames = _stream.read_streamed(raw, tz=cfg.timezone)
        if frames is None:
            return None
        _prepare(frames, path, shown, cfg)
        return raw, frames

    def _bulk(self, path: Path, brand: str, shown: str, cfg: BrandConfig) -> FileResult | None:
        """A large file: loaded inside DuckDB when it is a regular export whose format allows
        it (None: the caller reads it exactly)."""
        self.close()  # the fast path attaches the warehouse itself
        done = _bulk.ingest_file(
            path,
            warehouse=self.ws.warehouse_path,
            display=shown,
            brand=brand,
            tz=cfg.timezone,
            accounts=_accounts(cfg),
            known=lambda digest: _keep(self.known, brand, digest, shown, self.ws.path),
            # a path loaded before is likely the same file: hash it first (skipped unparsed);
            # a new one is hashed while it is staged
            hash_first=any(b == brand and v == shown for (b, _), v in self.known.items()),
        )
        if done is None:
            return None
        if done.status != "loaded":
            return FileResult(shown, brand, "skipped", message="already in the warehouse")
        self.known[(brand, done.sha256)] = shown
        return self._loaded(path, brand, done.format, done.kind, done.sha256)

    def _read(self, path: Path, brand: str, shown: str, cfg: BrandConfig):
        """The file read exactly: (raw, frames), or None when the warehouse holds it already."""
        raw, mapping_used = load_with_mapping(path, self.mapping)
        if _keep(self.known, brand, raw.sha256, shown, self.ws.path):
            return None
        frames = read_raw(raw, tz=cfg.timezone, mapping=mapping_used)
        _prepare(frames, path, shown, cfg)
        return raw, frames

    def _loaded(self, path, brand, fmt, kind, digest=None, quarantined: int = 0) -> FileResult:
        """The result of a loaded file, with its counts as the ingest_log holds them."""
        digest = digest or _sha256_of(path)
        con = self.con or wh.connect(self.ws.warehouse_path, read_only=True)
        try:
            got = wh.file_outcome(con, brand, digest) or {}
        finally:
            if con is not self.con:
                con.close()
        return loaded_result(self.ws._display(path), brand, fmt, kind, got, quarantined)

    def read_calendar(self, slug: str) -> tuple[Path, str, pd.DataFrame] | None:
        """A brand's calendar file, its hash and rows (None without one); refused when wrong."""
        path = calendar_file(self.ws.path / slug)
        if path is None:
            return None
        return path, _sha256_of(path), _as_config_error(load_calendar, path)

    def refresh_calendar(self, slug: str, calendar) -> None:
        """Replace a brand's calendar rows when its file changed since the last ingest."""
        if calendar is None:
            return
        _, digest, frame = calendar
        key = calendar_hash_key(slug)
        if self.con is None and not self.ws.warehouse_path.exists():
            stored = None
        else:
            con = self.con or wh.connect(self.ws.warehouse_path, read_only=True)
            try:
                row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
            finally:
                if con is not self.con:
                    con.close()
            stored = row[0][0] if row else None
        if stored == digest:
            return
        if self.con is None:
            self.con = wh.connect(self.ws.warehouse_path)
        wh.replace_calendar(self.con, slug, frame)
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, digest])


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
            "refers to itself (a loop of 'use:' references).",
            path=path,
            fix="point 'use:' at another mapping, or remove it.",
        ) from exc
    except _DAMAGED as exc:
        raise ConfigError(
            f"cannot be read ({type(exc).__name__}: {exc}).",
            path=path,
            fix="open it in a spreadsheet or text editor, save it again (UTF-8 CSV, XLSX or "
            "YAML) and retry.",
        ) from exc


def _prepare(frames: list[pd.DataFrame], path: Path, shown: str, cfg: BrandConfig) -> None:
    """Fill blank accounts from brand.yaml, name the file as shown, and check the accounts."""
    for frame in frames:
        _fill_account(frame, cfg)
        frame["source_file"] = shown
        if len(frame):
            wh.check_accounts(str(frame["platform"].iloc[0]), frame["account"].unique(), path)


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


def calendar_hash_key(slug: str) -> str:
    """The warehouse ``meta`` key holding the hash of the brand's calendar file as last loaded."""
    return f"calendar_hash:{slug}"
