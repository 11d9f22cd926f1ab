"""The one calendar matcher: every calendar row to the published post it planned (or none).

:meth:`socialnb.workspace.Workspace.posts` tags posts with it, so the retro, ideation and every
page see the same matches. Rules, in order (each pass sees what the previous took):

1. the row's ``post_id`` (same platform; a Facebook ``<page>_<post>`` id also by its post part),
   or its ``post_link`` equal to the post's permalink, character for character;
2. the row's ``post_link`` in any form that names the post (:func:`~socialnb.calendar.link_key`);
3. rows with neither id nor link (and undecodable Facebook links): platform, a publishing date
   near the planned date and the title's similarity to the start of the caption.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .. import _lazy, periods
from .._text import tokens
from .links import UNDECODABLE_LINKS, link_key, post_keys

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["CalendarMatch", "match_calendar", "tag_posts", "title_similarity", "MATCH_METHODS"]

#: How a row was matched, as ``CalendarMatch.rows["method"]`` says.
MATCH_METHODS: tuple[str, ...] = ("post id", "link", "title and date", "none")

#: Calendar columns a matched post takes over (post column -> calendar column).
TAGS: dict[str, str] = {
    "pillar": "pillar",
    "series": "series",
    "planned_format": "format",
    "idea_id": "idea_id",
    "calendar_title": "title",
    "planned_sprint": "sprint",
}


def title_similarity(title: str, caption: str) -> float:
    """How well a calendar title matches the start of a caption, 0 to 1: the larger of difflib's
    ratio against the caption's first characters and the share of the title's words found among
    the caption's first words.

    Examples
    --------
    >>> title_similarity("Autumn layering guide", "Autumn layering guide for wet ridges")
    1.0
    >>> title_similarity("Winter boots", "Our new tent") < 0.6
    True
    """
    t = " ".join(tokens(title))
    words = tokens(caption)
    if not t or not words:
        return 0.0
    n = len(t.split())
    start = " ".join(words[: n + 3])
    ratio = difflib.SequenceMatcher(None, t, start[: len(t)]).ratio()
    overlap = len(set(t.split()) & set(words[: max(n + 3, 8)])) / len(set(t.split()))
    return float(max(ratio, overlap))


@dataclass(frozen=True, eq=False)
class CalendarMatch:
    """Every calendar row matched (or not) to a published post.

    ``rows`` has one row per calendar row: ``calendar_row``, ``sprint``, ``planned_date``,
    ``platform``, ``title``, ``status``, the matched ``post_id`` and its ``published_sprint``,
    ``method`` (one of :data:`MATCH_METHODS`), ``similarity`` (title matches), ``candidates``
    (ambiguous rows: the post ids that fit equally well), ``note``, ``outcome`` (shipped,
    slipped, dropped, not shipped, ambiguous), and for ``not shipped`` rows with an obvious
    unplanned post ``likely_post_id`` and ``likely_reason`` (flagged, never merged).
    """

    rows: pd.DataFrame
    min_similarity: float
    tolerance_days: int

    def to_frame(self) -> pd.DataFrame:
        """One row per calendar row (a copy of ``rows``)."""
        return self.rows.copy()

    @property
    def method_counts(self) -> dict[str, int]:
        """Calendar rows per matching method."""
        return {str(k): int(v) for k, v in self.rows["method"].value_counts().items()}

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.method_counts.items())
        n = len(self.rows)
        return f"CalendarMatch({n} calendar row{'s' * (n != 1)}: {counts or 'none'})"


@dataclass
class _Posts:
    """The posts indexed by every name a calendar row can give them."""

    frame: pd.DataFrame
    by_id: dict[str, int]
    by_key: dict[tuple[str, str], list[int]]
    by_permalink: dict[tuple[str, str], list[int]]

    def post_id(self, i: int) -> str:
        return str(self.frame.at[i, "post_id"])


@dataclass
class _State:
    """The matching so far, one entry per calendar row."""

    n: int
    post_of: list = field(init=False)
    method: list[str] = field(init=False)
    sim: list[float] = field(init=False)
    cands: list[str] = field(init=False)
    note: list[str] = field(init=False)
    by_title: list[bool] = field(init=False)  # rows the title-and-date rule may match
    taken: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.post_of = [None] * self.n
        self.method = ["none"] * self.n
        self.sim = [np.nan] * self.n
        self.cands = [""] * self.n
        self.note = [""] * self.n
        self.by_title = [False] * self.n

    def take(self, r: int, i: int, method: str) -> None:
        self.post_of[r], self.method[r] = i, method
        self.taken.add(i)

    def add_note(self, r: int, text: str) -> None:
        self.note[r] = f"{self.note[r]}; {text}" if self.note[r] else text


def _calendar_frame(calendar: pd.DataFrame) -> pd.DataFrame:
    cal = calendar.copy().reset_index(drop=True)
    if "calendar_row" not in cal:
        cal["calendar_row"] = range(2, len(cal) + 2)
    for col in ("post_id", "post_link", "title", "status"):
        cal[col] = cal[col].astype("string").fillna("").str.strip() if col in cal else ""
    cal["planned_date"] = pd.to_datetime(cal["planned_date"])
    return cal


def _index_posts(posts: pd.DataFrame) -> _Posts:
    keep = ("platform", "post_id", "permalink", "text", "published_at", "published_local")
    p = posts[[c for c in keep if c in posts]].reset_index(drop=True).copy()
    p["_sprint"] = periods.post_months(p)
    p["_day"] = periods.local_time(p).dt.normalize()
    platform = p["platform"].astype(str)
    by_id = dict(zip(platform + "|" + p["post_id"].astype(str), p.index, strict=True))
    links = p["permalink"] if "permalink" in p else pd.Series(None, index=p.index, dtype=object)
    by_key: dict[tuple[str, str], list[int]] = {}
    by_permalink: dict[tuple[str, str], list[int]] = {}
    for i, plat, pid, link in zip(p.index, platform, p["post_id"], links, strict=True):
        for key in post_keys(pid, link):
            by_key.setdefault((plat, key), []).append(i)
        if isinstance(link, str) and link.strip():
            by_permalink.setdefault((plat, link.strip()), []).append(i)
    return _Posts(p, by_id, by_key, by_permalink)


def _match_ids_and_exact_links(cal: pd.DataFrame, posts: _Posts, state: _State) -> None:
    """Rule 1: the post id, or the very same link."""
    for r, row in enumerate(cal.itertuples(index=False)):
        if row.post_id:
            i = posts.by_id.get(f"{row.platform}|{row.post_id}")
            if i is None:  # a Facebook post named by its post part alone
                hits = posts.by_key.get((row.platform, "id:" + row.post_id), [])
                i = hits[0] if len(set(hits)) == 1 else None
            if i is None:
                state.note[r] = f"post id {row.post_id} not found among the {row.platform} posts"
            elif i in state.taken:
                state.note[r] = f"post id {row.post_id} is already matched to an earlier row"
            else:
                state.take(r, i, "post id")
        elif row.post_link:
            hits = sorted(set(posts.by_permalink.get((row.platform, row.post_link), [])))
            if len(hits) == 1 and hits[0] not in state.taken:
                state.take(r, hits[0], "link")
        elif row.status != "dropped":
            state.by_title[r] = True


def _match_link_forms(cal: pd.DataFrame, posts: _Posts, state: _State) -> None:
    """Rule 2: any form of the link that names a post (see :func:`link_key`)."""
    for r, row in enumerate(cal.itertuples(index=False)):
        if row.post_id or not row.post_link or state.post_of[r] is not None:
            continue
        key = link_key(row.post_link)
        hits = sorted(set(posts.by_key.get((row.platform, key), [])))
        undecodable = key.startswith(UNDECODABLE_LINKS)
        if not hits and not undecodable:  # a long number in the link equal to a post id
            ids = (f"{row.platform}|{d}" for d in re.findall(r"\d{6,}", row.post_link))
            hits = [posts.by_id[k] for k in ids if k in posts.by_id][:1]
        if len(hits) == 1 and hits[0] not in state.taken:
            state.take(r, hits[0], "link")
        elif len(hits) > 1:
            state.cands[r] = ", ".join(posts.post_id(i) for i in hits)
            state.note[r] = "ambiguous: the link names several posts"
        elif undecodable and row.status != "dropped":
            state.by_title[r] = True
            kind = "a pfbid" if key.startswith("pfbid:") else "a /share/"
            state.note[r] = f"{kind} link cannot be decoded offline and is no post's permalink"
        else:
            state.note[r] = "link not found among the posts"


def _title_candidates(
    cal: pd.DataFrame, posts: _Posts, state: _State, tolerance_days: int, min_similarity: float
) -> dict[int, list[tuple[float, int]]]:
    """For each row the title rule may match: the untaken posts near its date, most similar
    first (similarity at least ``min_similarity``)."""
    p = posts.frame
    tol = np.timedelta64(tolerance_days, "D")
    platform, day = p["platform"].to_numpy(object), p["_day"].to_numpy("datetime64[ns]")
    texts = list(p["text"]) if "text" in p else [""] * len(p)  # p has a RangeIndex
    best: dict[int, list[tuple[float, int]]] = {}
    for r, row in enumerate(cal.itertuples(index=False)):
        if not state.by_title[r]:
            continue
        planned = np.datetime64(row.planned_date, "ns")
        near = np.flatnonzero((platform == row.platform) & (np.abs(day - planned) <= tol))
        scored = []
        for i in near:
            if i in state.taken:
                continue
            s = title_similarity(row.title, texts[i])
            if s >= min_similarity:
                scored.append((s, int(i)))
        best[r] = sorted(scored, reverse=True)
    return best


def _match_titles(
    cal: pd.DataFrame,
    posts: _Posts,
    state: _State,
    *,
    tolerance_days: int,
    min_similarity: float,
    margin: float,
) -> None:
    """Rule 3: platform, date and title; ambiguous rows are left to a person, and a post goes
    to at most one row (the most similar first)."""
    best = _title_candidates(cal, posts, state, tolerance_days, min_similarity)
    pairs: list[tuple[float, int, int]] = []
    for r, scored in best.items():
        if not scored:
            state.add_note(r, "no post on that platform within a day with a similar caption")
        elif len(scored) > 1 and scored[0][0] - scored[1][0] < margin:
            top = scored[0][0]
            state.cands[r] = ", ".join(posts.post_id(i) for s, i in scored if s > top - margin)
            state.add_note(r, "ambiguous: several posts fit the title and date equally well")
        else:
            pairs.extend((s, r, i) for s, i in scored)
    for s, r, i in sorted(pairs, key=lambda t: (-t[0], t[1])):
        if state.post_of[r] is not None or i in state.taken:
            continue
        state.take(r, i, "title and date")
        state.sim[r] = round(s, 3)
        if state.note[r]:
            state.add_note(r, "matched by title and date instead")
    for r in best:
        lost = state.post_of[r] is None and not state.cands[r]
        if lost and (not state.note[r] or "decoded offline" in state.note[r]):
            state.add_note(r, "its best matching post went to a more similar row")


def _likely_matches(
    cal: pd.DataFrame, posts: _Posts, state: _State, days: int, min_similarity: float
) -> tuple[list, list[str]]:
    """For each unmatched, undropped row: the untaken post that is its obvious match, and why."""
    p = posts.frame
    likely: list = [pd.NA] * len(cal)
    reason = [""] * len(cal)
    free = np.ones(len(p), dtype=bool)  # p has a RangeIndex: labels are positions
    free[list(state.taken)] = False
    if not free.any():
        return likely, reason
    platform, day = p["platform"].to_numpy(object), p["_day"].to_numpy("datetime64[ns]")
    texts = list(p["text"]) if "text" in p else [""] * len(p)
    for r, row in enumerate(cal.itertuples(index=False)):
        if state.post_of[r] is not None or state.cands[r] or row.status == "dropped":
            continue
        # whole days from the planned date, floored (NaN without a date)
        gap = np.floor((day - np.datetime64(row.planned_date, "ns")) / np.timedelta64(1, "D"))
        near = np.flatnonzero(free & (platform == row.platform) & (np.abs(gap) <= days))
        scored = sorted(
            ((title_similarity(row.title, texts[i]), int(i)) for i in near),
            key=lambda t: (-t[0], t[1]),
        )
        scored = [(sc, i) for sc, i in scored if sc >= min_similarity / 2]
        if not scored or (len(scored) > 1 and scored[0][0] - scored[1][0] < 0.1):
            continue
        sc, i = scored[0]
        likely[r] = posts.post_id(i)
        reason[r] = (
            f"unplanned {row.platform} post {posts.post_id(i)} published "
            f"{_when(int(gap[i]))}, title {sc:.0%} similar to its caption"
        )
    return likely, reason


def _when(days: int) -> str:
    """``0`` -> on the planned date; ``-2`` -> 2 days before the planned date."""
    if days == 0:
        return "on the planned date"
    side = "after" if days > 0 else "before"
    return f"{abs(days)} day{'s' * (abs(days) > 1)} {side} the planned date"


def _outcome(sprint, status, published_sprint, candidates) -> str:
    if status == "dropped":
        return "dropped"
    if published_sprint is not pd.NA and isinstance(published_sprint, str):
        return "slipped" if published_sprint > sprint else "shipped"
    if candidates:
        return "ambiguous"
    return "not shipped"


def _rows(cal: pd.DataFrame, posts: _Posts, state: _State, likely, reason) -> pd.DataFrame:
    p = posts.frame
    out = cal[["calendar_row", "sprint", "planned_date", "platform", "title", "status"]].copy()
    for col in ("pillar", "series", "format", "idea_id"):
        out[col] = cal.get(col, "")
    out = out.reset_index(drop=True)

    def of_post(col: str, missing=pd.NA) -> list:
        values = list(p[col])  # p has a RangeIndex: labels are positions
        return [values[i] if i is not None else missing for i in state.post_of]

    out["post_id"] = pd.array(of_post("post_id"), dtype="string")
    out["published_sprint"] = pd.array(of_post("_sprint"), dtype="string")
    out["published_local"] = of_post("_day", pd.NaT)
    out["method"] = state.method
    out["similarity"] = state.sim
    out["candidates"] = state.cands
    out["note"] = state.note
    out["likely_post_id"] = pd.array(likely, dtype="string")
    out["likely_reason"] = reason
    parts = zip(out["sprint"], out["status"], out["published_sprint"], out["candidates"], strict=True)  # fmt: skip
    out["outcome"] = [_outcome(*part) for part in parts]
    return out


def match_calendar(
    calendar: pd.DataFrame,
    posts: pd.DataFrame,
    *,
    tolerance_days: int = 1,
    min_similarity: float = 0.6,
    margin: float = 0.1,
    likely_days: int = 2,
) -> CalendarMatch:
    """Match calendar rows to published posts (the rules are in the module docstring).

    1. by ``post_id`` (same platform), or by a ``post_link`` identical to a post's permalink;
    2. else by ``post_link`` in any of its forms: links are compared through
       :func:`socialnb.calendar.link_key`, so the forms of one post's link meet (Facebook
       ``/reel/<id>``, ``/<page>/posts/<id>``, ``story_fbid=<id>``, the ``<page>_<post>`` id;
       Instagram ``/p/<code>`` and ``/reel/<code>``), or a long number in the link equal to a
       post id;
    3. else, for rows with neither, by platform, a publishing date within ``tolerance_days`` of
       ``planned_date`` and the title's similarity to the start of the caption
       (:func:`title_similarity` >= ``min_similarity``). A row whose two best candidates are
       within ``margin`` of each other is **ambiguous** and left unmatched (candidates listed);
       a post goes to at most one row (the most similar first).

    A row with an id or link that matches no post is left unmatched with a note (it is not
    guessed by title: the user said which post it is), except a Facebook ``pfbid`` or
    ``/share/`` link that is no post's permalink: it cannot be decoded offline, so the row goes
    to rule 3 and its note says so.

    A row still unmatched (``not shipped``) whose obvious match is a post no row took (same
    platform, published within ``likely_days`` of the planned date, a title at least half as
    similar as ``min_similarity``) gets that post in ``likely_post_id`` and the reason in
    ``likely_reason``: flagged for a person to check, never merged.

    Examples
    --------
    >>> posts = pd.DataFrame({"platform": ["x", "x"], "post_id": ["101", "102"],
    ...     "permalink": ["https://x.com/a/status/101", "https://x.com/a/status/102"],
    ...     "text": ["Trail tips: layering", "New tent"],
    ...     "published_local": pd.to_datetime(["2026-10-05 09:00", "2026-10-09 12:00"])})
    >>> cal = pd.DataFrame({"sprint": ["2026-10"] * 3, "platform": ["x"] * 3,
    ...     "planned_date": ["2026-10-05", "2026-10-09", "2026-10-20"],
    ...     "title": ["Trail tips", "Tent", "Boots"], "status": "planned",
    ...     "post_id": ["", "", ""], "post_link": ["", "twitter.com/a/status/102", ""]})
    >>> match_calendar(cal, posts).rows[["post_id", "method", "outcome"]]
      post_id          method      outcome
    0     101  title and date      shipped
    1     102            link      shipped
    2    <NA>            none  not shipped
    """
    cal = _calendar_frame(calendar)
    indexed = _index_posts(posts)
    state = _State(len(cal))
    _match_ids_and_exact_links(cal, indexed, state)
    _match_link_forms(cal, indexed, state)
    _match_titles(
        cal,
        indexed,
        state,
        tolerance_days=tolerance_days,
        min_similarity=min_similarity,
        margin=margin,
    )
    likely, reason = _likely_matches(cal, indexed, state, likely_days, min_similarity)
    return CalendarMatch(_rows(cal, indexed, state, likely, reason), min_similarity, tolerance_days)


def tag_posts(posts: pd.DataFrame, match: CalendarMatch) -> pd.DataFrame:
    """The posts with the calendar tags of the row each was matched to: ``pillar``, ``series``,
    ``planned_format``, ``idea_id``, ``calendar_title``, ``planned_sprint`` (tags a post already
    carries are kept; empty tags are missing).

    Examples
    --------
    >>> posts = pd.DataFrame({"platform": ["x"], "post_id": ["101"]})
    >>> rows = pd.DataFrame({"platform": ["x"], "post_id": ["101"], "pillar": ["gear"],
    ...     "series": [""], "format": ["text"], "idea_id": [""], "title": ["Tent"],
    ...     "sprint": ["2026-10"]})
    >>> tag_posts(posts, CalendarMatch(rows, 0.6, 1))[["pillar", "series", "planned_sprint"]]
      pillar series planned_sprint
    0   gear   <NA>        2026-10
    """
    out = posts.copy()
    for col in TAGS:
        if col not in out:
            out[col] = pd.NA
        out[col] = out[col].astype("string").replace("", pd.NA)
    m = match.rows.dropna(subset=["post_id"])
    key = out["platform"].astype(str) + "|" + out["post_id"].astype(str)
    mkey = m["platform"].astype(str) + "|" + m["post_id"].astype(str)
    for dst, col in TAGS.items():
        values = pd.Series(m[col].astype("string").replace("", pd.NA).to_numpy(), index=mkey)
        values = values[~values.index.duplicated()]
        out[dst] = out[dst].fillna(key.map(values).astype("string"))
    return out
