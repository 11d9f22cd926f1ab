"""What an ingest did, file by file."""

from __future__ import annotations

from dataclasses import dataclass

from .. import _lazy
from .. import warehouse as wh

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["FileResult", "IngestReport"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file in an ingest."""

    path: str
    brand: str | None
    status: str  # "loaded", "skipped" (seen before) or "rejected"
    format: str | None = None
    kind: str | None = None
    rows: int = 0  # the file's rows current after the load
    message: str = ""
    superseded: int = 0  # rows another file with the same export time holds
    ambiguous: int = 0  # of those, rows whose order in time could not be told


@dataclass(frozen=True)
class IngestReport:
    """Per-file outcome of :meth:`Workspace.ingest`."""

    files: tuple[FileResult, ...]

    @property
    def loaded(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.status == "loaded")

    @property
    def rejected(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.status == "rejected")

    @property
    def ambiguous(self) -> tuple[FileResult, ...]:
        """Files with rows that clash with another download of the same export time which
        cannot be ordered in time (each says what to do)."""
        return tuple(f for f in self.files if f.ambiguous)

    @property
    def ok(self) -> bool:
        """True when no file was rejected and no clash was left undecided."""
        return not self.rejected and not self.ambiguous

    def to_frame(self) -> pd.DataFrame:
        cols = [
            "path",
            "brand",
            "status",
            "format",
            "kind",
            "rows",
            "message",
            "superseded",
            "ambiguous",
        ]
        return pd.DataFrame([f.__dict__ for f in self.files], columns=cols)

    def __str__(self) -> str:
        n = {s: sum(f.status == s for f in self.files) for s in ("loaded", "skipped", "rejected")}
        lines = [
            f"{n['loaded']} file(s) loaded, {n['skipped']} already in the warehouse, {n['rejected']} rejected"
        ]
        lines += [f"  rejected: {f.message}" for f in self.rejected]
        lines += [f"  undecided: {f.path}: {f.message}" for f in self.ambiguous]
        return "\n".join(lines)


def loaded_result(
    shown: str, brand: str, fmt: str | None, kind: str | None, got: dict, quarantined: int = 0
) -> FileResult:
    """The result of a loaded file from its ``ingest_log`` counts (:func:`wh.file_outcome`)."""
    notes = []
    if quarantined:
        notes.append(f"{quarantined} row(s) quarantined (see ingest_log.detail)")
    superseded = int(got.get("rows_superseded", 0))
    ambiguous = int(got.get("rows_ambiguous", 0))
    if superseded - ambiguous:
        notes.append(
            f"{superseded - ambiguous} row(s) held by another download with the same export "
            "time (the newer one, or the same values)"
        )
    if ambiguous:
        others = ", ".join(got.get("ambiguous_with", []))
        notes.append(wh.AMBIGUOUS_ADVICE.format(n=ambiguous) + f" (clashes with {others})")
    return FileResult(
        shown,
        brand,
        "loaded",
        fmt,
        kind,
        int(got.get("rows_loaded", 0)),
        "; ".join(notes),
        superseded,
        ambiguous,
    )
