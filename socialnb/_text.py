"""Plain text from cells people or platforms wrote (captions, titles, links)."""

from __future__ import annotations

import re

from . import _lazy

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")


__all__ = ["plain_text", "tokens"]


def plain_text(value: object, limit: int | None = None) -> str:
    """Plain, single-line text (no control characters, runs of spaces collapsed); never HTML.

    Cut to ``limit`` characters with an ellipsis when given; missing values give ``""``.

    Examples
    --------
    >>> plain_text("<b>hi</b>\\n\\tthere\\x00")
    '<b>hi</b> there'
    >>> plain_text("a long caption", 6)
    'a lon…'
    >>> plain_text(float("nan"))
    ''
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(value))
    text = re.sub(r"\s+", " ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text


def tokens(text: object) -> list[str]:
    """The lower-case words of ``text``.

    >>> tokens("Gear Friday: the Ridgeline 35!")
    ['gear', 'friday', 'the', 'ridgeline', '35']
    """
    return re.findall(r"\w+", plain_text(text).lower())
