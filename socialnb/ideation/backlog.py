"""The idea backlog: ``ideas.csv`` (or ``.xlsx``) read and checked against one declared row
model (:class:`IdeaRow`), and which ideas are variants of one idea (:func:`same_idea_groups`)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from .._schema import Model, validate
from .._sheets import read_sheet
from ..config import IDEAS_COLUMNS
from ..errors import ConfigError
from ..schema import FORMATS, PLATFORMS

__all__ = [
    "IDEA_STATUSES",
    "OPTIONAL_IDEA_COLUMNS",
    "IdeaRow",
    "load_ideas",
    "same_idea_groups",
]

IDEA_STATUSES: tuple[str, ...] = ("backlog", "planned", "shipped", "rejected")
#: Columns of ideas.csv that may be left out of the file (read as empty).
OPTIONAL_IDEA_COLUMNS: tuple[str, ...] = ("same_as",)
_REQUIRED = ("id", "title", "platform", "format", "effort_hours")

#: What to do about a bad value, per column (the ConfigError's ``fix``).
_FIXES = {
    "id": "give every idea an id of its own (e.g. I-001).",
    "title": "fill in the idea's title.",
    "platform": f"use one of {', '.join(PLATFORMS)}.",
    "format": f"use one of {', '.join(FORMATS)}.",
    "status": f"use one of {', '.join(IDEA_STATUSES)}, or leave it empty (backlog).",
    "effort_hours": "write hours such as 2 or 1.5.",
    "team_confidence": "write the team's confidence in percent (e.g. 80), or leave it empty.",
    "same_as": "write the id (or ids, separated by ';') of the other variant(s) of the same idea.",
}


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    value = value.lower()
    if value not in allowed:
        raise PydanticCustomError(what, f"unknown {what}.")
    return value


class IdeaRow(Model):
    """One row of the backlog, as people write it (every cell is text in the sheet).

    Examples
    --------
    >>> IdeaRow(id="I-1", title="Trail reel", platform="Instagram", format="reel",
    ...         effort_hours="2.5", team_confidence="80%").effort_hours
    2.5
    >>> IdeaRow(id="I-1", title="Trail reel", platform="myspace", format="reel", effort_hours="2")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for IdeaRow
    platform
      unknown platform. [type=platform, input_value='myspace', input_type=str]
    """

    id: str
    title: str
    pillar: str = ""
    series: str = ""
    format: str
    platform: str
    effort_hours: float
    team_confidence: float = math.nan
    status: str = "backlog"
    notes: str = ""
    same_as: str = ""

    @field_validator(*_REQUIRED, mode="before")
    @classmethod
    def _filled(cls, value: Any) -> Any:
        if str(value).strip() == "":
            raise PydanticCustomError("empty", "is empty.")
        return value

    @field_validator("platform")
    @classmethod
    def _platform(cls, value: str) -> str:
        return _one_of(value, PLATFORMS, "platform")

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        return _one_of(value, FORMATS, "format")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return _one_of(str(value).strip() or "backlog", IDEA_STATUSES, "status")

    @field_validator("pillar")
    @classmethod
    def _pillar(cls, value: str) -> str:
        return value.lower()

    @field_validator("effort_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> float:
        hours = pd.to_numeric(str(value).strip(), errors="coerce")
        if not (np.isfinite(hours) and hours > 0):
            raise PydanticCustomError("hours", "is not a positive number of hours.")
        return float(hours)

    @field_validator("team_confidence", mode="before")
    @classmethod
    def _confidence(cls, value: Any) -> float:
        text = str(value).strip()
        if text == "":
            return math.nan
        conf = pd.to_numeric(text.rstrip("%"), errors="coerce")
        if not (np.isfinite(conf) and 0 <= conf <= 100):
            raise PydanticCustomError("confidence", "is not a confidence between 0 and 100.")
        return float(conf)


def _empty_backlog() -> pd.DataFrame:
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in IDEAS_COLUMNS})
    empty[["effort_hours", "team_confidence"]] = empty[["effort_hours", "team_confidence"]].astype(
        float
    )
    return empty.assign(row=pd.Series(dtype="int64"))


def load_ideas(path: str | Path, *, missing_ok: bool = False) -> pd.DataFrame:
    """Read and check an idea backlog (``ideas.csv`` or ``ideas.xlsx``).

    ``path`` is the file or the brand folder holding it. With ``missing_ok=True`` a brand
    folder without a backlog gives an empty frame with the columns (the ideation page then says
    which file unlocks the backlog sections) instead of an error.

    Columns are :data:`socialnb.config.IDEAS_COLUMNS`; every row is an :class:`IdeaRow`:
    ``id``, ``title``, ``platform``, ``format`` and ``effort_hours`` are required, the others may
    be empty. The optional columns :data:`OPTIONAL_IDEA_COLUMNS` may be left out of the file:
    ``same_as`` names the other variant(s) of the same idea (ids separated by ``;``), which the
    plan treats as one choice (:func:`same_idea_groups`; older files say "same idea as ..." in
    ``notes``).

    Returns
    -------
    DataFrame
        The columns in order, ``effort_hours`` and ``team_confidence`` (percent, NaN when empty)
        as numbers, ``status`` defaulting to ``backlog``, and ``row`` (the spreadsheet row,
        header = row 1).

    Raises
    ------
    ConfigError
        With ``path``, ``row``, ``key`` (the column), ``value`` and ``fix``: a missing column or
        field, an unknown platform, format or status, an effort that is not a positive number of
        hours, a team confidence outside 0-100, an id used twice, or a ``same_as`` naming an
        unknown id or the idea itself.

    Examples
    --------
    In a workspace (the sample brand's backlog)::

        ideas = load_ideas("data/fernway")
        ideas[["id", "platform", "effort_hours"]].head(1)
        #       id   platform  effort_hours
        # 0  I-001  instagram           3.0
    """
    path = Path(path)
    if path.is_dir():
        found = next((p for p in (path / "ideas.csv", path / "ideas.xlsx") if p.exists()), None)
        if found is None and missing_ok:
            return _empty_backlog()
        path = found or path / "ideas.csv"
    frame = read_sheet(path, what="idea backlog", columns=IDEAS_COLUMNS)
    for col in _REQUIRED:
        if col not in frame.columns:
            raise ConfigError("this column is missing.", path=path, row=1, key=col,
                              fix=f"add it; a backlog has the columns {', '.join(IDEAS_COLUMNS)}.")  # fmt: skip
    columns = [*IDEAS_COLUMNS, *OPTIONAL_IDEA_COLUMNS]
    for col in columns:
        if col not in frame:
            frame[col] = ""
    frame = frame[columns].fillna("").astype(str)
    frame["row"] = range(2, len(frame) + 2)
    frame = frame[(frame[columns].apply(lambda c: c.str.strip()) != "").any(axis=1)]
    rows = []
    for rec in frame.to_dict("records"):
        row = rec.pop("row")
        rows.append(validate(IdeaRow, rec, path=path, row=row, fixes=_FIXES).model_dump())
        rows[-1]["row"] = row
    out = pd.DataFrame(rows, columns=[*columns, "row"])
    out = out.astype({"effort_hours": float, "team_confidence": float, "row": "int64"})
    _check_ids(out, path)
    return out


def _check_ids(frame: pd.DataFrame, path: Path) -> None:
    """Ids are unique, and ``same_as`` names other ideas of the backlog."""
    seen: set[str] = set()
    known = set(frame["id"])
    for rid, same, row in zip(frame["id"], frame["same_as"], frame["row"], strict=True):
        if rid in seen:
            raise ConfigError(f"id {rid!r} is already used by an earlier row.", path=path,
                              row=int(row), key="id", value=rid, fix=_FIXES["id"])  # fmt: skip
        seen.add(rid)
        refs = _split_ids(same)
        if not all(r in known for r in refs):
            problem = "names an idea id that is not in the backlog."
        elif rid in refs:
            problem = "names the idea itself."
        else:
            continue
        raise ConfigError(problem, path=path, row=int(row), key="same_as", value=same,
                          fix=_FIXES["same_as"])  # fmt: skip


def _split_ids(value: Any) -> list[str]:
    s = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return [x for x in re.split(r"[;,\s]+", s.strip()) if x]


# =========================================================================== variants of one idea
_SAME_IDEA = re.compile(r"same idea as\b(.*)", re.IGNORECASE | re.DOTALL)


def _key(name: Any) -> str:
    """A series or title compared the way people mean it: case and spacing ignored."""
    if name is None or (isinstance(name, float) and math.isnan(name)) or name is pd.NA:
        return ""
    return " ".join(str(name).split()).casefold()


def _text_col(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    s = frame[col].astype(object)
    return s.where(s.notna(), "").astype(str).str.strip().replace({"nan": "", "<NA>": ""})


def same_idea_groups(ideas: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Which ideas are variants of one idea, so that a plan takes at most one of them.

    Two ways to say it, both read:

    * the optional ``same_as`` column (preferred): the id(s) of the other variant(s),
      separated by ``;``;
    * a note starting "same idea as ..." (older files): when the note names ids of the backlog,
      those; otherwise the other ideas with the same title (case and spacing ignored), narrowed
      to the format the note names when it names one ("same idea as a reel").

    Links are symmetric and transitive (A = B and B = C make one group).

    Returns
    -------
    (DataFrame, tuple of str)
        One row per idea: ``id``, ``group`` (the member ids joined by " = "; the idea's own id
        when it stands alone), ``group_size``, ``declared_by`` (``same_as``, ``notes`` or
        empty); and the problems found (a note that matches no other idea), in words.

    Examples
    --------
    >>> ideas = pd.DataFrame({"id": ["A", "B", "C"], "title": ["Boots", "boots ", "Tents"],
    ...                       "format": ["reel", "image", "reel"],
    ...                       "notes": ["", "same idea as a reel", ""], "same_as": ["", "", ""]})
    >>> same_idea_groups(ideas)[0]["group"].tolist()
    ['A = B', 'A = B', 'C']
    """
    ids = _text_col(ideas, "id").tolist()
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    declared = dict.fromkeys(ids, "")
    problems: list[str] = []
    titles = _text_col(ideas, "title").map(_key).tolist()
    formats = _text_col(ideas, "format").str.lower().tolist()
    notes = _text_col(ideas, "notes").tolist()
    same_as = _text_col(ideas, "same_as").tolist()
    known = set(ids)
    for j, i in enumerate(ids):
        links = [x for x in _split_ids(same_as[j]) if x in known and x != i]
        how = "same_as" if links else ""
        m = _SAME_IDEA.search(notes[j])
        if not links and m:
            rest = m.group(1)
            words = set(re.findall(r"[\w-]+", rest))
            links = [x for x in ids if x != i and x in words]
            if not links:
                links = [x for k, x in enumerate(ids) if x != i and titles[k] == titles[j]]
                named = [f for f in FORMATS if re.search(rf"\b{re.escape(f)}s?\b", rest.lower())]
                if named:
                    links = [x for x in links if formats[ids.index(x)] in named]
            how = "notes" if links else ""
            if not links:
                problems.append(
                    f"{i}: its note says {notes[j]!r} but no other idea scored has that id or "
                    "its title; it is planned as an idea of its own (name the other variant in "
                    "a same_as column)."
                )
        for x in links:
            parent[root(x)] = root(i)
            declared[x] = declared[x] or how
        declared[i] = declared[i] or how
    members: dict[str, list[str]] = {}
    for i in ids:
        members.setdefault(root(i), []).append(i)
    group = {i: " = ".join(sorted(members[root(i)])) for i in ids}
    out = pd.DataFrame(
        {
            "id": ids,
            "group": [group[i] for i in ids],
            "group_size": [len(members[root(i)]) for i in ids],
            "declared_by": [declared[i] if len(members[root(i)]) > 1 else "" for i in ids],
        }
    )
    return out, tuple(problems)
