"""``socialnb.record``: headline results stored in the executed notebook.

A recorded value is displayed as an output with its own MIME type, so it travels inside the
``.ipynb`` that papermill writes, and ``socialnb report`` collects it into ``summary.json``.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["record", "RECORD_MIMETYPE", "to_jsonable"]

RECORD_MIMETYPE = "application/vnd.socialnb.record+json"


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas scalars and containers to plain JSON values (NaN becomes None)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):  # dates and timestamps
        return value.isoformat()
    if getattr(value, "ndim", 0) and hasattr(value, "tolist"):  # arrays, Series
        return to_jsonable(value.tolist())
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_jsonable(value.item())
    raise TypeError(
        f"socialnb.record: cannot store a {type(value).__name__} as JSON; pass plain numbers, text, lists or dicts"
    )


def record(name: str, value: Any) -> Any:
    """Store a headline result ``name`` with a JSON ``value`` in the running notebook.

    Outside a notebook (plain Python) the value is returned and nothing is displayed.

    Examples
    --------
    Outside a notebook the value is simply returned:

    >>> record("delivery_rate", 0.92)
    0.92
    """
    if not isinstance(name, str) or not name:
        raise TypeError("socialnb.record: name must be a non-empty string")
    plain = to_jsonable(value)
    # "value_json" is a string so the key order survives nbformat's sorted JSON on save.
    payload = {"name": name, "value": plain, "value_json": json.dumps(plain)}
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with the stack
        return value
    if get_ipython() is None:
        return value
    display({RECORD_MIMETYPE: payload, "text/plain": f"recorded {name}"}, raw=True)
    return value
