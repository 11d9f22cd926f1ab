"""Declared schemas at the boundary: files people write (brand.yaml, experiments.yaml, mapping
files, the calendar and backlog sheets) are validated by one declared pydantic model each, and a
validation failure becomes one structured :class:`~socialnb.errors.ConfigError` (file, row or
key, value, what to do).

Write a model by subclassing :class:`Model` (unknown keys are refused, values are not coerced
silently beyond pydantic's lax mode) and validate with :func:`validate`:

>>> from pydantic import Field
>>> class Target(Model):
...     metric: str
...     target: float = Field(gt=0)
>>> validate(Target, {"metric": "er_reach", "target": 0.05}, path="brand.yaml", key="kpis[0]")
Target(metric='er_reach', target=0.05)
>>> validate(Target, {"metric": "er_reach", "target": -1}, path="brand.yaml", key="kpis[0]")
Traceback (most recent call last):
...
socialnb.errors.ConfigError: brand.yaml, key 'kpis[0].target' (value -1): Input should be greater than 0. What to do: fix this value and run again.

For a sheet, validate each row with ``row=`` (the spreadsheet row, header = row 1); the key is
then the column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ConfigError

__all__ = ["Model", "validate", "config_error", "key_path"]

M = TypeVar("M", bound=BaseModel)

#: What to do when no field-specific advice exists.
DEFAULT_FIX = "fix this value and run again."


class Model(BaseModel):
    """Base of every declared file schema: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def key_path(loc: tuple[Any, ...], prefix: str | None = None) -> str:
    """``("targets", 2, "metric")`` -> ``targets[2].metric`` (after ``prefix`` when given)."""
    out = prefix or ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def config_error(
    exc: ValidationError,
    *,
    path: str | Path | None,
    key: str | None = None,
    row: int | None = None,
    fixes: Mapping[str, str] | None = None,
) -> ConfigError:
    """The first problem of a pydantic ``ValidationError`` as a structured ConfigError.

    ``fixes`` maps a field name (the last part of the key) to the advice to give for it; other
    problems get a generic "fix this value". When pydantic found several problems the message
    says how many more there are, so a person fixes them in one go after running again.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first.get("loc", ()))
    field = next((str(p) for p in reversed(loc) if not isinstance(p, int)), None)
    problem = str(first.get("msg", "invalid value")).rstrip(".") + "."
    if first.get("type") == "extra_forbidden":
        problem = "is not a key socialnb knows (a typo?)."
    if first.get("type") == "missing":
        problem = "is required but missing."
    if len(errors) > 1:
        place = "row" if row is not None else "file"
        problem += f" ({len(errors) - 1} more problem(s) in this {place} after this one.)"
    fix = (fixes or {}).get(field or "", DEFAULT_FIX)
    extra: dict[str, Any] = {}
    if first.get("type") not in ("missing", "extra_forbidden") and "input" in first:
        extra["value"] = first["input"]
    return ConfigError(
        problem, path=path, key=key_path(loc, key) or None, row=row, fix=fix, **extra
    )


def validate(
    model: type[M],
    data: Any,
    *,
    path: str | Path | None,
    key: str | None = None,
    row: int | None = None,
    fixes: Mapping[str, str] | None = None,
) -> M:
    """``data`` validated by ``model``; a :class:`ConfigError` naming the file, the key or row,
    the value and the fix otherwise (see :func:`config_error`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, path=path, key=key, row=row, fixes=fixes) from None
