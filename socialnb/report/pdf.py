"""The report as one PDF: every page printed by headless Chromium, merged with pypdf."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from ..errors import ParameterError
from .index import _pages

__all__ = ["CHROMIUM_NAMES", "find_chromium", "write_pdf"]


#: Where a Chromium is looked for when ``SOCIALNB_CHROMIUM`` is not set (the first found wins).
CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "chrome")
_CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
)


def find_chromium() -> str:
    """The headless Chromium to print with: ``$SOCIALNB_CHROMIUM``, else the first of
    :data:`CHROMIUM_NAMES` on the PATH.

    Raises
    ------
    ParameterError
        None is installed, saying how to get one.
    """
    given = os.environ.get("SOCIALNB_CHROMIUM")
    if given:
        if shutil.which(given) or Path(given).is_file():
            return shutil.which(given) or given
        raise ParameterError(
            f"SOCIALNB_CHROMIUM={given!r} is not an executable. What to do: point it at a "
            "Chromium or Chrome binary, or unset it."
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ParameterError(
        "--pdf needs a headless Chromium and none is installed (looked for "
        f"{', '.join(CHROMIUM_NAMES)} on the PATH). What to do: install one (Debian/Ubuntu: "
        "apt-get install chromium) or set SOCIALNB_CHROMIUM to its path; the HTML report "
        "itself needs none."
    )


def write_pdf(month_dir: str | Path, *, chromium: str | None = None, timeout: int = 120) -> Path:
    """Print one month's report to ``<month_dir>/<brand>-<month>.pdf``: the index first, then
    every page in the index's order (the print stylesheet paginates: tables wrap to the page
    width, figures are not split).

    Each page is printed by headless Chromium (:func:`find_chromium`), the pages merged with
    pypdf. Returns the PDF's path.

    Raises
    ------
    ParameterError
        No Chromium, no report in ``month_dir``, or a page Chromium could not print.
    """
    from pypdf import PdfWriter

    month_dir = Path(month_dir).resolve()
    summary_path = month_dir / "summary.json"
    if not summary_path.is_file():
        raise ParameterError(
            f"{month_dir}: no report here (no summary.json). What to do: run `socialnb report` "
            "first, or point at reports/<brand>/<YYYY-MM>."
        )
    binary = chromium or find_chromium()
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    pages = [month_dir / href for href, _title in _pages(summary)]
    pages = [p for p in pages if p.is_file()]
    out = month_dir / f"{month_dir.parent.name}-{month_dir.name}.pdf"
    tmp_dir = month_dir.parent / f".pdf-{month_dir.name}-{os.getpid()}"
    tmp_dir.mkdir(exist_ok=True)
    try:
        writer = PdfWriter()
        for i, page in enumerate(pages):
            target = tmp_dir / f"{i:03d}.pdf"
            profile = tmp_dir / "profile"
            cmd = [binary, *_CHROMIUM_ARGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={target}", page.as_uri()]  # fmt: skip
            with contextlib.suppress(subprocess.TimeoutExpired):  # judged by the file below
                subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
            if not target.is_file() or target.stat().st_size == 0:
                raise ParameterError(
                    f"{page.name}: Chromium ({binary}) did not print it to PDF. What to do: "
                    "check that this Chromium runs headless (`chromium --headless --version`)."
                )
            writer.append(str(target))
        tmp_out = tmp_dir / out.name
        with open(tmp_out, "wb") as fh:
            writer.write(fh)
        os.replace(tmp_out, out)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return out
