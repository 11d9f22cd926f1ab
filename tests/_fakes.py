"""Fakes shared by the report tests (``test_report.py``, ``test_report_run.py``)."""

from __future__ import annotations

import nbformat

from socialnb import report


def finished_page(task, note: str = "") -> report.NotebookResult:
    """A notebook page finished without running it: what ``report.run._run_task`` leaves for
    ``task`` (its HTML page and executed notebook in the build folder, an ok result recording
    ``note``). Monkeypatch ``_run_task`` with it to test the run around the notebooks."""
    (task.build_dir / f"{task.notebook.name}.html").write_text(f"<p>{note}</p>", encoding="utf-8")
    nbformat.write(nbformat.v4.new_notebook(), task.build_dir / f"{task.notebook.name}.ipynb")
    return report.NotebookResult(
        brand=task.brand,
        notebook=task.notebook.name,
        title=task.notebook.title,
        status="ok",
        parameters=dict(task.parameters),
        results={"note": note},
    )
