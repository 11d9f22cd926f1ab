"""The declared schema of a mapping file (``socialnb/mappings/*.yaml`` and users' own): one
pydantic model, :class:`MappingFile`, whose refusals are structured ConfigErrors (file, key,
value, what to do). :func:`socialnb.ingest.mapped.load_mapping` reads the file and follows
``use:``; this module only says what a complete mapping may hold.

>>> spec = validate_mapping({"platform": "facebook", "columns": {"published": "date"}}, "m.yaml")
>>> spec.kind, spec.bad_rows
('posts', 'quarantine')
>>> validate_mapping({"platform": "myspace", "columns": {"published": "date"}}, "m.yaml")
Traceback (most recent call last):
...
socialnb.errors.ConfigError: m.yaml, key 'platform' (value 'myspace'): Input should be 'facebook', 'instagram', 'x', 'linkedin', 'tiktok' or 'youtube'. What to do: set `platform:` to the platform the file comes from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .._schema import Model, config_error
from ..config import is_timezone
from ..schema import DAILY_METRICS, FORMATS, PLATFORMS, POST_METRIC_FIELDS

__all__ = ["MappingFile", "validate_mapping", "TEXT_FIELDS", "MAPPING_KEYS"]

#: Canonical text fields a mapping's ``columns`` may fill (besides the metrics and the date).
TEXT_FIELDS: tuple[str, ...] = ("post_id", "account", "text", "permalink", "format", "distribution")

#: A file's column: its header (YAML may read ``2014`` or ``0`` as a number).
Header = str | int | float
#: One column, or several joined with a space (``published: [date, time]``), or none (generated).
ColumnSpec = Header | list[Header] | None
#: Free text about the file (where it comes from, its licence): one line or a list of them.
Note = str | list[str] | None
#: The default advice (the format is documented in socialnb.ingest.mapped's docstring).
DEFAULT_FIX = "see the mapping format in socialnb.ingest.mapped's docstring."

_FIXES = {
    "platform": "set `platform:` to the platform the file comes from.",
    "kind": "write 'kind: posts' (one row a post) or 'kind: daily' (one row a day).",
    "bad_rows": "write 'bad_rows: quarantine' (skip and report) or 'bad_rows: reject'.",
    "formats": f"map each of the file's values to one of {list(FORMATS)}.",
    "timezone": "write a zone such as Europe/London or America/New_York.",
    "columns": "map canonical fields to the file's columns, e.g. "
    "'columns: {published: date, likes: reactions}' (see socialnb.ingest.mapped's docstring).",
}


class MappingFile(Model):
    """A complete mapping (after ``use:`` was followed): every key, its type and its default."""

    platform: Literal[PLATFORMS]  # type: ignore[valid-type]
    kind: Literal["posts", "daily"] = "posts"
    description: Note = None
    source: Note = None
    licence: Note = None
    license: Note = None
    encoding: str | None = None
    delimiter: str | None = None
    skip_rows: Annotated[int, Field(ge=0)] = 0
    account: str | int | None = None
    account_regex: str | None = None
    timezone: str | None = None
    date_formats: list[str] = []
    formats: dict[Header, Literal[FORMATS]] = {}  # type: ignore[valid-type]
    distributions: dict[Header, str] = {}
    constants: dict[str, Any] = {}
    negative_ok: list[str] = []
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    month_column: Header | None = None
    hour_column: Header | None = None
    bad_rows: Literal["quarantine", "reject"] = "quarantine"
    columns: dict[str, ColumnSpec]  # last: its check reads kind and year

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str | None) -> str | None:
        if value is not None and not is_timezone(value):
            raise PydanticCustomError("timezone", "is not an IANA time zone")
        return value

    @field_validator("columns")
    @classmethod
    def _canonical_fields(cls, value: dict[str, ColumnSpec], info: ValidationInfo) -> dict:
        if not value:
            raise PydanticCustomError("columns", "maps no canonical field to a column")
        kind = info.data.get("kind", "posts")
        metrics = POST_METRIC_FIELDS if kind == "posts" else DAILY_METRICS
        allowed = {*TEXT_FIELDS, "published", "date", *metrics}
        bad = sorted(set(value) - allowed)
        if bad:
            raise PydanticCustomError(
                "columns",
                "{bad} are not canonical {kind} fields; use fields among {allowed}",
                {"bad": bad, "kind": kind, "allowed": sorted(allowed)},
            )
        need = "published" if kind == "posts" else "date"
        if not value.get(need) and not (kind == "posts" and info.data.get("year")):
            raise PydanticCustomError(
                "columns", "does not say which column holds `{need}`", {"need": need}
            )
        return value


#: Every key a mapping file may hold (``use:`` is followed before validation).
MAPPING_KEYS: tuple[str, ...] = ("use", *MappingFile.model_fields)


def validate_mapping(data: Any, path: str | Path) -> MappingFile:
    """``data`` (a mapping file's content, ``use:`` followed) validated by :class:`MappingFile`.

    Raises
    ------
    ConfigError
        Naming the file, the key (``formats.Photo``), the value and what to do.
    """
    try:
        return MappingFile.model_validate(data)
    except ValidationError as exc:
        loc = exc.errors(include_url=False)[0]["loc"]
        field = next((str(p) for p in reversed(loc) if not isinstance(p, int)), "")
        top = str(loc[0]) if loc else ""
        fix = _FIXES.get(top, DEFAULT_FIX)
        if exc.errors()[0]["type"] == "extra_forbidden":
            fix = f"use only the keys {sorted(MAPPING_KEYS)}."
        raise config_error(exc, path=path, fixes={field: fix}) from None
