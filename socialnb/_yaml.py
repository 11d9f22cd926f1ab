"""Reading a YAML file people write (brand.yaml, a mapping): text, syntax and a mapping at the
top, each failure one structured :class:`~socialnb.errors.ConfigError` naming the file, the
line and what to do.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "brand.yaml"
>>> _ = p.write_text("name: Acme\\ntimezone: UTC\\n", encoding="utf-8")
>>> read_yaml_mapping(p)
{'name': 'Acme', 'timezone': 'UTC'}
>>> _ = p.write_text("name: [Acme\\n", encoding="utf-8")
>>> read_yaml_mapping(p)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
socialnb.errors.ConfigError: ...brand.yaml: line 2, column 1: is not valid YAML ... What to do: fix the YAML syntax (indentation, colons, quotes, brackets).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

__all__ = ["read_yaml_mapping", "not_utf8"]


def not_utf8(
    path: Path, data: bytes, exc: UnicodeDecodeError, *, fix: str, sep: str = " "
) -> ConfigError:
    """The error for a file people wrote whose bytes are not UTF-8 text: the line and the byte at
    fault (``exc`` from decoding ``data``). ``sep`` follows "line N" (sheets write ``": "``).

    >>> data = b"name: Caf\\xe9\\n"
    >>> try:
    ...     data.decode("utf-8")
    ... except UnicodeDecodeError as exc:
    ...     print(not_utf8(Path("brand.yaml"), data, exc, fix="save it as UTF-8."))
    brand.yaml: line 1 is not UTF-8 text (byte 0xe9). What to do: save it as UTF-8.
    """
    line = data[: exc.start].count(b"\n") + 1
    return ConfigError(
        f"line {line}{sep}is not UTF-8 text (byte {data[exc.start]:#04x}).", path=path, fix=fix
    )


def read_yaml_mapping(
    path: Path, *, data: bytes | None = None, what: str = "keys"
) -> dict[str, Any]:
    """The top-level mapping of a YAML file (``{}`` for an empty file).

    Parameters
    ----------
    path
        The file.
    data
        Its bytes, when the caller read them already (e.g. to hash them).
    what
        The keys expected at the top, for the message when the file is not a mapping.

    Raises
    ------
    ConfigError
        The file is not UTF-8 (or UTF-16 with a byte-order mark), not valid YAML, or not a
        mapping of keys.
    """
    data = path.read_bytes() if data is None else data
    try:
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        fix = "save it again as UTF-8 (most editors: 'Save with encoding')."
        raise not_utf8(path, data, exc, fix=fix) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise ConfigError(
            f"{where}is not valid YAML ({detail}).",
            path=path,
            fix="fix the YAML syntax (indentation, colons, quotes, brackets).",
        ) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"is a YAML {type(raw).__name__}, not a mapping of {what}.",
            path=path,
            value=raw,
            fix="write it as 'key: value' lines, one per key (see README).",
        )
    return raw
