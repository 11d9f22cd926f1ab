"""Whose export a file is: loads refuse rows of another account than the brand's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from .. import _lazy
from ..errors import ExportError
from .schema import STORED_POST_COLUMNS

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["expected_accounts", "check_accounts"]

_NAMES = ", ".join(STORED_POST_COLUMNS)

#: Platform -> the account names brand.yaml gives (set by the workspace around each file).
_EXPECTED_ACCOUNTS: ContextVar[dict[str, str] | None] = ContextVar(
    "socialnb_expected_accounts", default=None
)
#: Platforms whose account column names the brand's own account (LinkedIn's "Posted by" names
#: the person who posted, so it says nothing about which page the export is from).
_IDENTITY_PLATFORMS = ("facebook", "instagram", "x", "tiktok", "youtube")


@contextmanager
def expected_accounts(accounts: dict[str, str] | None) -> Iterator[None]:
    """Within the block, loads refuse rows of another account than ``accounts[platform]``."""
    token = _EXPECTED_ACCOUNTS.set(accounts)
    try:
        yield
    finally:
        _EXPECTED_ACCOUNTS.reset(token)


def _norm_account(name: object) -> str:
    return " ".join(str(name).strip().lstrip("@").casefold().split())


def check_accounts(platform: str, names, source_file: str | Path) -> None:
    """Refuse an export of another account than the brand's (brand.yaml ``platforms``).

    Raises
    ------
    ExportError
        Naming the account found, the one expected and what to do.
    """
    expected = (_EXPECTED_ACCOUNTS.get() or {}).get(platform)
    if not expected or platform not in _IDENTITY_PLATFORMS:
        return
    want = _norm_account(expected)
    others = sorted(
        {
            str(n).strip()
            for n in names
            if n is not None and not pd.isna(n) and str(n).strip() and _norm_account(n) != want
        }
    )
    if others:
        raise ExportError(
            source_file,
            f"is an export of the {platform} account {others[0]!r}, but brand.yaml says this "
            f"brand's {platform} account is {expected!r}.",
            fix="move the file to the raw/ folder of the brand it belongs to; if the account was "
            f"renamed, correct platforms.{platform}.account in brand.yaml.",
        )


def _check_accounts_sql(con, select: str, params: list, platform: str, source_file: str) -> None:
    if not (_EXPECTED_ACCOUNTS.get() or {}).get(platform):
        return
    names = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT account FROM ({select}) AS q({_NAMES}) WHERE account IS NOT NULL "
            "LIMIT 50",
            params,
        ).fetchall()
    ]
    check_accounts(platform, names, source_file)
