"""The brands a run reports: chosen from the workspace, ingested, and checked to have something
to report in the month before any notebook runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .. import periods
from ..errors import ParameterError, SocialnbError

__all__ = ["choose_brands", "check_reportable"]


def choose_brands(workspace: str | Path, listed: Iterable[str] | None = None) -> list[str]:
    """The brands to work on: ``listed`` (each checked against the workspace) or every brand there.

    The one brand chooser of ``socialnb report``, ``socialnb ingest --brand`` and the scheduler
    helpers (:func:`socialnb.orchestrate.discover_brands`).

    Parameters
    ----------
    workspace
        The workspace folder (one sub-folder with a ``brand.yaml`` per brand).
    listed
        Brand slugs asked for by name; empty or None means every brand of the workspace.

    Raises
    ------
    ParameterError
        A listed brand has no ``brand.yaml`` in the workspace (the message lists the brands
        there), or the workspace has no brand.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for slug in ("acme", "lisa"):
    ...     (root / slug).mkdir()
    ...     _ = (root / slug / "brand.yaml").write_text("name: X")
    >>> choose_brands(root)
    ['acme', 'lisa']
    >>> choose_brands(root, ["lsia"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socialnb.errors.ParameterError: unknown brand(s) lsia in workspace ... Brands there ...
    """
    from ..config import list_brands

    workspace = Path(workspace)
    available = list_brands(workspace)
    wanted = [b for b in (listed or ()) if b]
    chosen = wanted or available
    unknown = [b for b in chosen if b not in available]
    if unknown:
        raise ParameterError(
            f"unknown brand(s) {', '.join(unknown)} in workspace {workspace}. Brands there "
            f"(folders with a brand.yaml): {', '.join(available) or 'none'}. What to do: pass "
            f"one of them, or start a new one with `socialnb init --brand {unknown[0]}`."
        )
    if not chosen:
        raise ParameterError(
            f"workspace {workspace} has no brands (folders with a brand.yaml). What to do: point "
            "at the workspace that holds the brands, or start one with `socialnb init --brand "
            "<slug>`."
        )
    return chosen


def check_reportable(
    ws: Any, brands: Iterable[str], month: str, *, today: dt.date | None = None
) -> None:
    """Refuse a month there is nothing to report on, before anything runs.

    Raises
    ------
    ParameterError
        ``month`` is in the future; or, for a brand: no posts in the warehouse at all, ``month``
        begins after the brand's newest export, or the brand has no post in ``month``. One line
        each, saying what to do.
    ConfigError
        A brand's ``brand.yaml`` is invalid (from :meth:`Workspace.brand`).
    """
    today = today or dt.date.today()
    brands = list(brands)
    others = " (or report the other brands with --brand)" if len(brands) > 1 else ""
    start = periods.month_start(month)
    if start > today:
        raise ParameterError(
            f"--month {month} is in the future (today is {today:%Y-%m-%d}). What to do: pick a "
            f"month that has begun, e.g. the last complete one, {periods.last_complete_month(today)}."
        )
    for brand in brands:
        config = ws.brand(brand)  # an invalid brand.yaml stops here (ConfigError)
        posts = _post_times(ws, brand)
        if not len(posts):
            raise ParameterError(
                f"brand {brand!r} has no posts in the warehouse: nothing in {brand}/raw/ was "
                f"read as posts. What to do: put the platforms' post exports in {brand}/raw/ "
                f"(README, 'Your own brand') and run again{others}."
            )
        exported = pd.to_datetime(posts["exported_at"], utc=True).max()
        newest = exported.tz_convert(config.timezone).date() if pd.notna(exported) else None
        if newest is not None and start > newest:
            raise ParameterError(
                f"--month {month} begins after brand {brand!r}'s newest export (taken "
                f"{newest:%Y-%m-%d}): there is nothing to report yet. What to do: put fresh "
                f"exports in {brand}/raw/, or pick a month up to {newest:%Y-%m}{others}."
            )
        sprints = periods.post_months(posts).dropna()
        if not (sprints == month).any():
            first, last = sprints.min(), sprints.max()
            raise ParameterError(
                f"brand {brand!r} has no posts in {month} (its posts run from {first} to "
                f"{last}). What to do: pick a month with posts, e.g. --month {last}, or put the "
                f"exports that cover {month} in {brand}/raw/{others}."
            )


def _post_times(ws: Any, brand: str) -> pd.DataFrame:
    """The brand's posts as :func:`check_reportable` needs them: platform, export and publishing
    times (a narrow read of the warehouse's ``posts`` view, without the calendar's tags)."""
    if not ws.warehouse_path.exists():
        return pd.DataFrame()
    from .. import warehouse

    con = ws.connect()
    try:
        return warehouse.query(
            con,
            "SELECT platform, exported_at, published_at, published_local FROM posts "
            "WHERE brand = ?",
            [brand],
        )
    finally:
        con.close()


def _open_workspace(workspace: Path) -> Any:
    from ..workspace import Workspace

    return Workspace(workspace)


def _brand_config(ws: Any, workspace: Path, brand: str):
    try:
        if ws is not None:
            return ws.brand(brand)
        from ..config import load_brand

        return load_brand(workspace / brand / "brand.yaml")
    except SocialnbError:
        return None


def _ingest(ws: Any, brands: list[str], echo: Callable[[str], None]) -> list[str]:
    """Ingest new raw files of ``brands``; print and return the rejected ones."""
    rejected: list[str] = []
    for brand in brands:
        try:
            report = ws.ingest(brand=brand)
        except SocialnbError as exc:
            echo(f"ingest {brand}: {exc}")
            rejected.append(str(exc))
            continue
        items = getattr(report, "rejected", ()) or ()
        if isinstance(items, pd.DataFrame):
            items = [
                " ".join(f"{k}={v}" for k, v in row.items() if pd.notna(v))
                for row in items.to_dict("records")
            ]
        for item in items:
            text = str(getattr(item, "message", "") or item)
            echo(f"ingest {brand}: rejected {text}")
            rejected.append(text)
        for item in getattr(report, "ambiguous", ()) or ():
            text = str(getattr(item, "message", "") or item)
            echo(f"ingest {brand}: undecided {text}")
            rejected.append(text)
    return rejected
