"""Public names of a package imported on first use (PEP 562), so that importing the package, or
one light module of it, does not import every heavy module it offers.

``import socialnb`` then costs milliseconds, the command line starts at once, and the report's
check of a brand's ideas.csv (``socialnb.ideation.backlog``) does not import scipy and
statsmodels for the model it does not fit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__: list[str] = []


def attach(
    package: str, names: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose public ``names`` each come from a
    module of it (``{"load_ideas": ".backlog"}``); ``namespace`` is the package's ``globals()``.

    A name is imported on first use and kept; any other attribute that names a module of the
    package (``socialnb.metrics``) imports that module, as importing the package once did.
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name], package), name)
        elif name.startswith("__"):
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        else:
            try:
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
