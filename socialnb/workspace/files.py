"""The raw files of a workspace: finding them, their brand's folders, copies of the same bytes."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import ConfigError
from ..ingest import MAPPING_SUFFIX
from ..ingest._base import download_day, period_end_from_name
from ..ingest._raw import _sha256_of
from ..ingest.mapped import mapping_for


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
            f"is in the download folder {folder.name}, a day after today ({today:%Y-%m-%d}); "
            "the folder name is taken as the day the export was downloaded, so it would stay the "
            "newest export for ever. Nothing was loaded from it.",
            path=path,
            value=folder.name,
            fix="rename the folder to the day you downloaded the file.",
        )
