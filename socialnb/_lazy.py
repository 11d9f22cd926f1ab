"""Public names of a package imported on first use (PEP 562), so that importing the package, or
one light module of it, does not import every heavy module it offers.

``import socialnb`` then costs milliseconds, the command line starts at once, and the report's
check of a brand's ideas.csv (``socialnb.ideation.backlog``) does not import scipy and
statsmodels for the model it does not fit.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__: list[str] = []


def attach(
    package: str, modules: Mapping[str, Iterable[str]], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public names come from its
    ``modules`` (``{".backlog": ("load_ideas", "IdeaRow")}``); ``namespace`` is the package's
    ``globals()``.

    A name is imported on first use and kept; any other attribute that names a module of the
    package (``socialnb.metrics``) imports that module, as importing the package once did.
    """
    names = {name: module for module, found in modules.items() for name in found}
    _keep_names_over_modules(package, {n for n, m in names.items() if m.lstrip(".") == n})

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


def _keep_names_over_modules(package: str, clashes: set[str]) -> None:
    """A public name that is also its module's name (``experiments.decide``, the function, from
    ``experiments/decide.py``) stays the function when the module is imported: the import
    system sets the package's attribute to the module then, and this puts the name back, as
    ``from .decide import decide`` in the package did."""
    if not clashes:
        return
    module = sys.modules[package]

    class _Package(types.ModuleType):
        def __setattr__(self, key: str, value: Any) -> None:
            if key in clashes and getattr(value, "__name__", None) == f"{package}.{key}":
                value = getattr(value, key)
            super().__setattr__(key, value)

    module.__class__ = _Package


class _Deferred:
    """A stand-in for a module not imported yet (see :func:`module`)."""

    __slots__ = ("_name", "_namespace", "_alias")

    def __init__(self, name: str, namespace: dict[str, Any], alias: str) -> None:
        self._name, self._namespace, self._alias = name, namespace, alias

    def __getattr__(self, attr: str) -> Any:
        real = importlib.import_module(self._name)
        self._namespace[self._alias] = real  # later uses in that module go straight to it
        return getattr(real, attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def module(name: str, namespace: dict[str, Any], alias: str) -> Any:
    """``alias = module("pandas", globals(), "alias")``: ``name`` imported on the first attribute
    use, when ``alias`` in ``namespace`` becomes the module itself."""
    return _Deferred(name, namespace, alias)
