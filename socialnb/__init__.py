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

import importlib
from typing import TYPE_CHECKING, Any

from ._record import record
from .errors import SocialnbError

if TYPE_CHECKING:  # imported when first used (see __getattr__): `import socialnb` stays light
    from .ingest import read_export
    from .workspace import Workspace

__all__ = ["read_export", "Workspace", "record", "SocialnbError", "__version__"]

#: Public names imported on first use, and the module each comes from. `import socialnb` then
#: costs a few milliseconds instead of importing pandas and DuckDB: the command line starts at
#: once, and the report starts its kernels' imports before its own.
_LAZY = {"read_export": ".ingest", "Workspace": ".workspace"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("socialnb")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0"
    elif not name.startswith("__"):
        try:  # a module of the package (socialnb.metrics), as before when all were imported
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
