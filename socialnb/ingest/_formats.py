"""Every post gets a format, and the lineage says how it is known (one place for the rules).

``format_source`` is ``"exported"`` when the export names the format (Meta's ``Post type``,
LinkedIn's ``Content Type``, a mapped column), ``"inferred: <rule>"`` when it is inferred from what
the export does carry, and ``"unknown"`` (with format ``"unknown"``) when nothing tells. The rules,
tried in order for posts the export leaves without a format:

``media``
    X legacy's ``media views`` or ``media engagements`` above 0: a photo, video or GIF (the export
    does not say which) -> ``"media"``.
``video views``
    a video metric above 0 (``video_views``; LinkedIn's views exclude off-site video views) ->
    ``"video"``.
``link``
    a web link in the text, and (where the export has media columns) no media views -> ``"link"``.
``text``
    the export has media columns, they are 0, and the text has no link -> ``"text"``.

A reader lists the rules its export supports; a rule never applies to an export without its
signal (X Premium has no media columns, so its posts without a link stay ``"unknown"``).
"""

from __future__ import annotations

from .. import _lazy

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")


__all__ = ["EXPORTED", "UNKNOWN", "settle_formats"]

EXPORTED = "exported"
UNKNOWN = "unknown"
_LINK = r"https?://\S+"


def settle_formats(
    frame: pd.DataFrame,
    *,
    rules: tuple[str, ...] = (),
    media: pd.Series | None = None,
    video: pd.Series | None = None,
    given: str = EXPORTED,
) -> pd.DataFrame:
    """Fill ``format`` and ``format_source`` for every row of a canonical post frame.

    Parameters
    ----------
    frame
        Canonical post rows (``format`` may be missing or NA).
    rules
        The inference rules this export supports, in order (see the module docstring).
    media
        Per row, the export's media views plus media engagements (the ``media`` and ``text``
        rules), NaN where the export leaves them blank.
    video
        Per row, the export's video views (the ``video views`` rule; default: ``video_views``).
    given
        The ``format_source`` of rows whose format the reader set (``"exported"``, or an
        ``"inferred: ..."`` rule of the reader's own, e.g. TikTok lists videos only).
    """
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    fmt = (
        out["format"].astype("string")
        if "format" in out
        else pd.Series(pd.NA, index=out.index, dtype="string")
    )
    fmt = fmt.where(~(fmt.str.strip() == ""), pd.NA)
    source = (
        out["format_source"].astype("string")
        if "format_source" in out
        else pd.Series(pd.NA, index=out.index, dtype="string")
    )
    source = source.where(source.notna() | fmt.isna(), given)
    todo = fmt.isna().to_numpy().copy()
    # the rules look only at the rows whose format is still open (often none: settled already)
    signals = _signals(out, todo, media, video) if rules and todo.any() else {}
    fmt_values = fmt.to_numpy(dtype=object, na_value=None).copy()
    src_values = source.to_numpy(dtype=object, na_value=None).copy()
    for rule in rules if signals else ():
        hit, value, why = signals[rule]
        apply = todo & hit
        fmt_values[apply] = value
        src_values[apply] = why
        todo &= ~apply
    fmt_values[todo] = UNKNOWN
    src_values[todo] = UNKNOWN
    out["format"] = pd.array(fmt_values, dtype="string")
    out["format_source"] = pd.array(src_values, dtype="string")
    return out


def _signals(
    out: pd.DataFrame, todo: np.ndarray, media: pd.Series | None, video: pd.Series | None
) -> dict[str, tuple[np.ndarray, str, str]]:
    """Per inference rule: which rows it places (among ``todo``; False elsewhere), the format,
    and the ``format_source`` it writes."""
    n = len(out)
    has_link = np.zeros(n, dtype=bool)
    if "text" in out:
        open_text = out["text"][todo].astype("string")
        has_link[todo] = (
            open_text.str.contains(_LINK, regex=True, case=False).fillna(False).to_numpy(bool)
        )
    media_v = np.zeros(n) * np.nan if media is None else pd.to_numeric(media).to_numpy(dtype=float)
    if video is None and "video_views" in out:
        video = out["video_views"]
    video = np.full(n, np.nan) if video is None else pd.to_numeric(video).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return {
            "media": (media_v > 0, "media", "inferred: media views > 0"),
            "video views": (video > 0, "video", "inferred: video views > 0"),
            "link": (
                has_link & ~(media_v > 0),
                "link",
                "inferred: link in the text" + (", no media views" if media is not None else ""),
            ),
            "text": (
                (media_v == 0) & ~has_link,
                "text",
                "inferred: no media views, no link in the text",
            ),
        }
