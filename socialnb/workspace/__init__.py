"""The workspace: a folder of brands (``data/<brand>/``) and the warehouse built from them.

:class:`Workspace` (``core``) finds each brand's files (``files``), loads them one transaction
each (``run``) and reports what happened to every file (``results``).
"""

from __future__ import annotations

from .core import Workspace
from .files import _files_under  # noqa: F401 - socialnb.scaffold imports it from here
from .results import FileResult, IngestReport

__all__ = ["Workspace", "IngestReport", "FileResult"]
