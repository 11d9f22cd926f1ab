"""The report's kernel zygote: one process imports the analysis stack once, then forks a kernel
whenever one is asked for, so a kernel is ready in a fraction of a second instead of importing
pandas, matplotlib, seaborn, statsmodels and socialnb again (about 1.5 s of CPU each).

The parent side (:class:`Zygote`) starts it and gives jupyter_client a kernel command that runs
``_kernel_stub.py``: a stand-in process that passes its arguments, folder, environment and
standard streams to the zygote over a Unix socket and forwards signals to the forked kernel.
jupyter_client manages the stand-in exactly as it manages a kernel it started itself.

A forked kernel is a new process: its folder and environment are the stand-in's, its random
generators are seeded afresh, and it exits when its stand-in does. The zygote exits when the
report closes it or dies (its stdin closes). Linux only (``fork`` after importing these
libraries is not safe on macOS); elsewhere, or with ``SOCIALNB_KERNEL_FORK=0``, kernels start
the usual way.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

__all__: list[str] = []

# --- what a report kernel runs with -------------------------------------------------------------

#: Variables that set how many threads numpy's BLAS (and OpenMP code) use in a kernel.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def cores() -> int:
    """The cores this process may run on: its CPU affinity (``taskset``, a container's cpuset),
    else the machine's count. A report started on one core of a larger machine runs one notebook
    at a time, with one BLAS thread."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _threads_per_kernel(jobs: int) -> int:
    """The cores each of ``jobs`` kernels running at once may use for BLAS: the cores shared out
    (two kernels with two threads each on two cores spend their time waiting for each other).

    >>> _threads_per_kernel(1) == cores()
    True
    """
    return max(1, cores() // max(1, jobs))


def _thread_env(threads: int | None) -> dict[str, str]:
    """The kernel's thread variables for ``threads`` (None: as inherited); one the user set in
    the environment is kept."""
    if threads is None:
        return {}
    return {name: str(threads) for name in _THREAD_VARIABLES if name not in os.environ}


def kernel_env(threads: int | None = None) -> dict[str, str]:
    """The environment a report kernel runs with (on top of the report's own)."""
    return {
        "PYTHONPATH": _kernel_pythonpath(),
        # figures must come back as inline PNG even when the caller set MPLBACKEND=Agg (test
        # runners and headless schedulers do)
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        **_thread_env(threads),
    }


#: The statsmodels modules socialnb's analyses import (when first called): the warm-up imports
#: these rather than all of ``statsmodels.api`` (0.3 s less a kernel; a test keeps the list whole).
STATSMODELS_MODULES = (
    "statsmodels.discrete.discrete_model",
    "statsmodels.genmod.families",
    "statsmodels.genmod.generalized_linear_model",
    "statsmodels.stats.multitest",
    "statsmodels.stats.nonparametric",
    "statsmodels.stats.proportion",
    "statsmodels.stats.rates",
    "statsmodels.tools.sm_exceptions",
)

#: socialnb's modules the report notebooks use: imported by the warm-up, so that a notebook finds
#: them imported (``import socialnb`` alone imports next to nothing).
SOCIALNB_MODULES = (
    "socialnb.workspace",
    "socialnb.ingest",
    "socialnb.metrics",
    "socialnb.overview",
    "socialnb.retro",
    "socialnb.experiments",
    "socialnb.ideation",
    "socialnb.plots",
)

#: The stack a kernel imports before its first notebook (the zygote imports it once).
WARMUP_IMPORTS = (
    """\
import os as _os, sys as _sys, types as _types, warnings as _warnings
import numpy as _np, pandas as _pd, matplotlib as _mpl, matplotlib.pyplot as _plt
import seaborn as _sns, duckdb as _duckdb, scipy.stats as _ss
"""
    + "".join(f"import {m}\n" for m in STATSMODELS_MODULES)
    + "import socialnb as _socialnb\n"
    + "".join(f"import {m}\n" for m in SOCIALNB_MODULES)
)


def _kernel_pythonpath() -> str:
    """PYTHONPATH for the kernel: this socialnb first, so the kernel imports the same package."""
    here = str(Path(__file__).resolve().parents[1])
    rest = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (here, rest) if p)


# --- the zygote, as the report sees it ----------------------------------------------------------

#: The stand-in script jupyter_client runs as the kernel (standard library only).
STUB = Path(__file__).with_name("_kernel_stub.py")


def workers(jobs: int | None) -> int:
    """Notebooks a report runs at once: ``jobs``, or the cores this process may use
    (:func:`cores`)."""
    return max(1, int(jobs or cores()))


def reuse_kernels() -> bool:
    """Whether the report keeps a warm kernel per worker (``SOCIALNB_KERNEL_REUSE=0``: a fresh
    kernel for every notebook, started the usual way)."""
    return os.environ.get("SOCIALNB_KERNEL_REUSE") != "0"


def available() -> bool:
    """Whether kernels may be forked from a zygote here."""
    return (
        sys.platform.startswith("linux")
        and hasattr(socket, "send_fds")
        and os.environ.get("SOCIALNB_KERNEL_FORK", "1") != "0"
    )


class Zygote:
    """A started zygote whose kernels use ``threads`` BLAS threads; :attr:`argv` is the kernel
    command that asks it for a kernel."""

    def __init__(self, threads: int | None) -> None:
        self.env = kernel_env(threads)
        self._dir = tempfile.mkdtemp(prefix="socialnb-kernels-")  # mode 0700: this user only
        self.socket_path = os.path.join(self._dir, "zygote.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.socket_path)
            listener.listen(64)  # stand-ins that connect while the zygote imports wait here
            # Run as a script (-P: its folder is not put on sys.path), so that the zygote and
            # its kernels import exactly what a fresh kernel does: not socialnb.report.
            self._proc = subprocess.Popen(
                [sys.executable, "-P", __file__, str(listener.fileno()), WARMUP_IMPORTS, self._dir],
                pass_fds=(listener.fileno(),),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                start_new_session=True,  # Ctrl-C in the terminal reaches the report, not kernels
            )
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        finally:
            listener.close()  # the zygote holds it now; if the zygote dies, connecting fails
        self.argv: tuple[str, ...] = (sys.executable, "-I", "-S", str(STUB), self.socket_path)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self, *, now: bool = False) -> None:
        """Stop the zygote (kernels it forked keep running until they are shut down); ``now``:
        at once, even in the middle of its imports."""
        with contextlib.suppress(OSError):
            self._proc.stdin.close()
        if now:
            self._proc.kill()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self._dir, ignore_errors=True)


#: The zygote :func:`prestart` started and no kernel pool has adopted yet (at most one).
_PRESTARTED: list[Zygote] = []
_PRESTARTED_LOCK = threading.Lock()


def prestart(jobs: int | None) -> None:
    """Start the zygote for a report about to run with ``jobs`` workers now, so that its imports
    overlap the report's own start (``socialnb report`` calls this first). The run's kernel
    pool adopts it (:func:`adopt`); :func:`discard` stops one that no run adopted."""
    if not (available() and reuse_kernels()):
        return
    with _PRESTARTED_LOCK:
        if not _PRESTARTED:
            with contextlib.suppress(OSError):
                _PRESTARTED.append(Zygote(_threads_per_kernel(workers(jobs))))


def adopt(threads: int | None) -> Zygote | None:
    """The prestarted zygote if it suits kernels with ``threads`` BLAS threads in this
    environment (else it is stopped), or None."""
    with _PRESTARTED_LOCK:
        zygote = _PRESTARTED.pop() if _PRESTARTED else None
    if zygote is None:
        return None
    if zygote.env == kernel_env(threads) and zygote.alive():
        return zygote
    zygote.close(now=True)
    return None


def discard() -> None:
    """Stop a prestarted zygote that no run adopted (a run refused before its kernels)."""
    with _PRESTARTED_LOCK:
        zygotes = list(_PRESTARTED)
        _PRESTARTED.clear()
    for zygote in zygotes:
        zygote.close(now=True)


# --- the zygote process -----------------------------------------------------------------------


def _read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    """A stand-in's request (length-prefixed JSON) and the standard streams it sent."""
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
    if len(data) < 4:
        raise ConnectionError("short request")
    (size,) = struct.unpack("!I", data[:4])
    data = data[4:]
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("request cut short")
        data += chunk
    return json.loads(data.decode("utf-8")), list(fds)


def _exit_when_closed(conn: socket.socket) -> None:
    """In a forked kernel: exit as soon as the stand-in's connection closes (it was killed)."""
    with contextlib.suppress(OSError):
        while conn.recv(4096):
            pass
    os._exit(1)


def _become_kernel(conn: socket.socket, request: dict, fds: list[int], filters: tuple) -> None:
    """In the forked child: take the stand-in's streams, folder and environment, then run
    ipykernel as ``python -m ipykernel_launcher`` would, with the warning filters a fresh kernel
    has once it has imported the stack (``filters``: see :func:`serve`). Never returns."""
    code = 1
    try:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import random

        import numpy as np

        random.seed()  # a fresh process's random state, not the zygote's copy
        np.random.seed()
        conn.sendall(struct.pack("!i", os.getpid()))
        threading.Thread(target=_exit_when_closed, args=(conn,), daemon=True).start()
        from ipykernel.kernelapp import IPKernelApp

        # ipykernel read JPY_PARENT_PID when the zygote imported it: give it the parent the
        # kernel really has (it exits if the zygote dies, and prints no terminal banner)
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = [sys.executable, *argv]
        app = IPKernelApp.instance()
        before, added = filters
        _set_filters(before)  # ipykernel starts from the filters it would find in a new process
        app.initialize(argv)
        _set_filters([*added, *(f for f in warnings.filters if f not in added)])
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _reap(wait_s: float = 0.0) -> None:
    """Collect the forked kernels that have exited; with ``wait_s``, wait up to that long for
    the others."""
    import time

    deadline = time.monotonic() + wait_s
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # no child left
        if pid == 0:  # children still running
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)


def _set_filters(filters: list) -> None:
    warnings.filters[:] = filters
    getattr(warnings, "_filters_mutated", lambda: None)()


def serve(listen_fd: int, warmup: str) -> None:
    """Import the stack (``warmup``), then fork a kernel for every stand-in that connects;
    return when stdin closes (the report closed the zygote or died).

    A fresh kernel starts ipykernel, then imports the stack, whose libraries put their warning
    filters first; here the stack is imported before ipykernel starts in each child, so the
    filters the imports added are noted and put first again once it has started.
    """
    import ipykernel.kernelapp  # noqa: F401

    before = list(warnings.filters)
    exec(compile(warmup, "<socialnb kernel warm-up>", "exec"), {})  # noqa: S102
    added = [f for f in warnings.filters if f not in before]

    listener = socket.socket(fileno=listen_fd)
    # Forked kernels are reaped here, so that their CPU time counts in the zygote's children and,
    # once the report waits for the zygote, in the report's (benchmarks measure it).
    signal.signal(signal.SIGCHLD, lambda _n, _f: _reap())
    while True:
        ready, _, _ = select.select([listener, 0], [], [])
        if 0 in ready and not os.read(0, 4096):
            _reap(wait_s=5.0)  # kernels shut down just before: let them finish exiting
            return
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        try:
            request, fds = _read_request(conn)
        except (OSError, ValueError):
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            _become_kernel(conn, request, fds, (before, added))
        conn.close()
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
    shutil.rmtree(sys.argv[3], ignore_errors=True)  # the socket's folder, also if the report died
    os._exit(0)  # nothing to flush; the interpreter's teardown of the stack would take ~0.2 s
