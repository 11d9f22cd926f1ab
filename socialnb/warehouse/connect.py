"""Opening the warehouse: connections, the writer lock, transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..errors import WarehouseError
from .schema import check_version, ensure_schema

__all__ = ["connect", "writer_lock", "transaction"]


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (creating it and its schema unless ``read_only``).

    Raises
    ------
    WarehouseError
        If a read-only warehouse does not exist yet, the file is locked or not a warehouse, or it
        was built by another version of socialnb (it says how to rebuild it).
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(
            f"{path}: no warehouse yet. What to do: run `socialnb ingest` (or Workspace.ingest()) first."
        )
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise WarehouseError(
            f"{path}: cannot open the warehouse ({exc}). What to do: close other programs using it "
            "(a notebook holding a write connection, another ingest) and run the command again."
        ) from exc
    con.execute("SET TimeZone = 'UTC'") if _has_icu(con) else None
    try:
        check_version(con, path)
        if not read_only:
            ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def writer_lock(path: str | Path) -> Iterator[None]:
    """Hold the warehouse's writer lock (``<warehouse>.lock`` beside it) for the block.

    Every writer (ingest, rebuild and its swap) takes it, so one writes at a time.

    Raises
    ------
    WarehouseError
        When another process holds it (saying to wait for it and run the command again).
    """
    import fcntl

    path = Path(path)
    lock = path.with_name(path.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock, "a+")  # noqa: SIM115  (held open for the block)
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise WarehouseError(
                f"{path}: another ingest is writing to this warehouse right now. Nothing was "
                "changed. What to do: wait until it has finished, then run your command again "
                "(files it has not loaded yet are loaded then)."
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _has_icu(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(
            con.execute(
                "SELECT count(*) FROM duckdb_settings() WHERE name = 'TimeZone'"
            ).fetchall()[0][0]
        )
    except duckdb.Error:
        return False


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit on success, roll back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
