"""socialnb: a Jupyter notebook workbench for running organic social media as a product.

The public API is small; everything else lives in the modules named below.

- :func:`read_export`: one raw platform export -> canonical rows.
- :class:`Workspace`: the brands' folders and the DuckDB warehouse built from them.
- :func:`record`: store a headline result in the running notebook (collected by the report).
- :class:`SocialnbError`: the root of every error socialnb raises on purpose.

Modules: ``socialnb.metrics``, ``socialnb.overview``, ``socialnb.retro``, ``socialnb.experiments``,
``socialnb.ideation``, ``socialnb.report``, ``socialnb.orchestrate`` (other schedulers),
``socialnb.scaffold`` (`socialnb init`), ``socialnb.plots``, ``socialnb.sample``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _lazy
from ._record import record
from .errors import SocialnbError

if TYPE_CHECKING:  # imported on first use (see _lazy): `import socialnb` stays light
    from .ingest import read_export
    from .workspace import Workspace

__all__ = ["read_export", "Workspace", "record", "SocialnbError", "__version__"]

_getattr, __dir__ = _lazy.attach(
    __name__, {".ingest": ("read_export",), ".workspace": ("Workspace",)}, globals()
)


def __getattr__(name: str) -> Any:
    if name != "__version__":
        return _getattr(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        globals()["__version__"] = version("socialnb")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        globals()["__version__"] = "0.0.0"
    return globals()["__version__"]
